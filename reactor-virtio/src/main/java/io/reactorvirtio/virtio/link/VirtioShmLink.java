package io.reactorvirtio.virtio.link;

import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U32;

import io.reactorvirtio.virtio.SharedPoller;
import io.reactorvirtio.virtio.Virtqueue;
import io.reactorvirtio.virtio.Virtqueue.Direction;
import io.reactorvirtio.virtio.LinkDownException;
import io.reactorvirtio.virtio.LinkState;
import io.reactorvirtio.virtio.internal.link.Liveness;
import io.reactorvirtio.virtio.internal.poll.LinkPoller;
import io.reactorvirtio.virtio.internal.poll.LinkPollerGroup;
import io.reactorvirtio.virtio.internal.queue.DriverRxRing;
import io.reactorvirtio.virtio.internal.queue.DriverTxRing;
import io.reactorvirtio.virtio.internal.reactive.LinkShutdown;
import io.reactorvirtio.virtio.internal.reactive.LinkStates;
import io.reactorvirtio.virtio.internal.reactive.QueueHandle;
import io.reactorvirtio.virtio.internal.ring.LittleEndian;
import io.reactorvirtio.virtio.internal.ring.QueueGeometry;
import io.reactorvirtio.virtio.internal.ring.SplitQueueDriver;
import io.reactorvirtio.virtio.memory.SharedRegion;
import io.reactorvirtio.virtio.memory.Window;
import io.reactorvirtio.virtio.notify.FutexDoorbell;
import io.reactorvirtio.virtio.notify.FutexInterruptSource;
import java.lang.foreign.MemorySegment;
import reactor.core.publisher.Flux;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The driver side of a link that needs no hardware: it creates a shared file (mode 0600) holding
 * the rings, the buffers and two futex doorbells, and owns the rings as a virtio driver does. The
 * device side ({@code VhostShmLink} in reactor-vhost) maps the same file from another process.
 *
 * <pre>{@code
 * try (VirtioShmLink link = VirtioShmLink.create(Path.of("/dev/shm/demo"), ShmLinkOptions.defaults())) {
 *   link.queue(1).send(Flux.just(MemorySegment.ofArray("hello".getBytes()))).block();
 * }
 * }</pre>
 */
public final class VirtioShmLink implements AutoCloseable {


  private final SharedRegion region;
  private final ShmLinkOptions options;
  private final LinkPoller poller;
  private final boolean sharedPoller;
  private final FutexInterruptSource interrupts;
  private final List<QueueHandle> queues = new ArrayList<>();
  private final List<SplitQueueDriver> rings = new ArrayList<>();
  private final List<Runnable> ringResets = new ArrayList<>();
  private volatile boolean closed;
  private final LinkStates states;
  private final int livenessMs;
  private final @Nullable Liveness liveness;

  private VirtioShmLink(SharedRegion region, ShmLinkOptions options, @Nullable SharedPoller shared, int generation) {
    this.region = region;
    this.states = new LinkStates(region.path().getFileName().toString(), LinkState.DOWN);
    this.options = options;
    MemorySegment seg = region.segment();
    int n = options.queueSize();
    int count = options.directions().size();
    Window window = Window.identity(seg);
    FutexDoorbell deviceDoorbell = new FutexDoorbell(seg, ShmLinkLayout.DEVICE_DOORBELL_OFFSET);
    this.interrupts = new FutexInterruptSource(seg, ShmLinkLayout.DRIVER_DOORBELL_OFFSET);
    this.sharedPoller = shared != null;
    this.poller = shared != null
        ? group(shared).poller()
        : new LinkPoller(region.path().getFileName() + "-driver", interrupts, options.idle());
    int inbound = 0;
    for (int q = 0; q < count; q++) {
      Direction dir = options.directions().get(q);
      String name = region.path().getFileName() + "/q" + q + (dir == Direction.INBOUND ? "-rx" : "-tx");
      QueueGeometry geometry = QueueGeometry.legacy(ShmLinkLayout.ringOffset(q, n), n, ShmLinkLayout.RING_ALIGN);
      SplitQueueDriver ring = SplitQueueDriver.create(name, geometry, window, options.eventIdx());
      rings.add(ring);
      long buf = ShmLinkLayout.bufferOffset(count, n, options.bufferSize(), q);
      if (dir == Direction.INBOUND) {
        inbound |= 1 << q;
        DriverRxRing rx = new DriverRxRing(ring, deviceDoorbell, seg, buf, buf, options.bufferSize());
        ringResets.add(rx::reset);
        queues.add(QueueHandle.inbound(q, n, rx, poller));
      } else {
        DriverTxRing tx = new DriverTxRing(ring, deviceDoorbell, seg, buf, buf, options.bufferSize());
        ringResets.add(tx::reset);
        queues.add(QueueHandle.outbound(q, n, tx, poller));
      }
    }
    seg.set(U32, ShmLinkLayout.VERSION_OFFSET, ShmLinkLayout.VERSION);
    seg.set(U32, ShmLinkLayout.QUEUES_OFFSET, count);
    seg.set(U32, ShmLinkLayout.QUEUE_SIZE_OFFSET, n);
    seg.set(U32, ShmLinkLayout.BUFFER_SIZE_OFFSET, options.bufferSize());
    seg.set(U32, ShmLinkLayout.FEATURES_OFFSET, options.eventIdx() ? ShmLinkLayout.FEATURE_EVENT_IDX : 0);
    seg.set(U32, ShmLinkLayout.INBOUND_OFFSET, inbound);
    seg.set(U32, ShmLinkLayout.GENERATION_OFFSET, generation);
    seg.set(U32, ShmLinkLayout.DEVICE_ID_OFFSET, options.deviceId());
    seg.set(U32, ShmLinkLayout.STATUS_OFFSET, ShmLinkLayout.STATUS_DRIVER_OK);
    this.livenessMs = (int) options.liveness().toMillis();
    seg.set(U32, ShmLinkLayout.LIVENESS_OFFSET, livenessMs);
    this.liveness = livenessMs == 0 ? null
        : new Liveness(seg, ShmLinkLayout.DRIVER_HEARTBEAT_OFFSET, ShmLinkLayout.DEVICE_HEARTBEAT_OFFSET,
            livenessMs * 1_000_000L, livenessListener());
    // Rings initialised and header complete before the magic (release): the device reads the
    // magic with acquire before trusting anything else (and still validates it all).
    LittleEndian.U64.varHandle().setRelease(seg, ShmLinkLayout.MAGIC_OFFSET, ShmLinkLayout.MAGIC);
    setState(liveness == null ? LinkState.UP : LinkState.DOWN);
    if (liveness != null) {
      liveness.beatNow();
      poller.register(liveness);
    }
    if (sharedPoller) {
      poller.addSource(interrupts);
    } else {
      poller.start();
    }
  }

  /**
   * The device died: withdraw DRIVER_OK, reset every ring and buffer pool, bump the generation and
   * set DRIVER_OK again, so that a new device process attaches to clean rings (virtio reset and
   * re-initialisation, driver side). Poller thread.
   */
  private void resetForNewDevice() {
    MemorySegment seg = region.segment();
    LittleEndian.U32_HANDLE.setRelease(seg, ShmLinkLayout.STATUS_OFFSET, 0);
    for (int q = 0; q < queues.size(); q++) {
      queues.get(q).reset(ringResets.get(q));
    }
    int generation = seg.get(U32, ShmLinkLayout.GENERATION_OFFSET);
    seg.set(U32, ShmLinkLayout.GENERATION_OFFSET, generation + 1);
    // Rings clean before DRIVER_OK is visible again (release).
    LittleEndian.U32_HANDLE.setRelease(seg, ShmLinkLayout.STATUS_OFFSET, ShmLinkLayout.STATUS_DRIVER_OK);
  }

  /** How many times the driver reset the rings for a new device. */
  public int generation() {
    return region.segment().get(U32, ShmLinkLayout.GENERATION_OFFSET);
  }

  static LinkPollerGroup group(SharedPoller shared) {
    if (shared instanceof LinkPollerGroup g) {
      return g;
    }
    throw new IllegalArgumentException("not a poller made by Pollers.shared: " + shared);
  }

  /** Creates the shared file (which must not exist) and starts the link's poller. */
  public static VirtioShmLink create(Path file, ShmLinkOptions options) {
    return create(file, options, null);
  }

  /**
   * Creates the shared file and runs the link on a {@link SharedPoller} instead of a thread of its
   * own ({@code options.idle()} is then the shared poller's business).
   */
  public static VirtioShmLink create(Path file, ShmLinkOptions options, @Nullable SharedPoller shared) {
    long size = ShmLinkLayout.fileSize(options.directions().size(), options.queueSize(), options.bufferSize());
    if (java.nio.file.Files.exists(file)) {
      return takeOver(file, options, shared, size);
    }
    SharedRegion region = SharedRegion.create(file, size);
    try {
      return new VirtioShmLink(region, options, shared, 0);
    } catch (RuntimeException e) {
      region.close();
      region.unlink();
      throw e;
    }
  }

  /**
   * A driver restarting after a crash finds its old file (a killed driver cannot delete it). If
   * the file is a link of the same size whose driver heartbeat stays still for the liveness bound,
   * the new driver re-initialises it in place, with the next generation: a device still mapping it
   * follows (see {@code VhostShmLink}). A file in use by a live driver, or anything else, is refused.
   */
  private static VirtioShmLink takeOver(Path file, ShmLinkOptions options, @Nullable SharedPoller shared, long size) {
    SharedRegion region = SharedRegion.open(file);
    try {
      MemorySegment seg = region.segment();
      if (region.size() != size || seg.get(LittleEndian.U64, ShmLinkLayout.MAGIC_OFFSET) != ShmLinkLayout.MAGIC) {
        throw new IllegalStateException(file + " exists and is not a link of this shape (" + region.size()
            + " bytes, need " + size + "); remove it or choose another path");
      }
      Duration watch = options.liveness().isZero() ? ShmLinkOptions.DEFAULT_LIVENESS : options.liveness();
      long before = seg.get(LittleEndian.U64, ShmLinkLayout.DRIVER_HEARTBEAT_OFFSET);
      java.util.concurrent.locks.LockSupport.parkNanos(watch.toNanos() + watch.toNanos() / 2);
      if (seg.get(LittleEndian.U64, ShmLinkLayout.DRIVER_HEARTBEAT_OFFSET) != before) {
        throw new IllegalStateException(file + " is in use by a live driver (its heartbeat moves)");
      }
      int generation = seg.get(U32, ShmLinkLayout.GENERATION_OFFSET) + 1;
      LittleEndian.U32_HANDLE.setRelease(seg, ShmLinkLayout.STATUS_OFFSET, 0);
      return new VirtioShmLink(region, options, shared, generation);
    } catch (RuntimeException e) {
      region.close();
      throw e;
    }
  }

  public Virtqueue queue(int index) {
    return queues.get(index);
  }

  public List<? extends Virtqueue> queues() {
    return List.copyOf(queues);
  }

  public ShmLinkOptions options() {
    return options;
  }

  public Path path() {
    return region.path();
  }

  /** Times the poller parked in the kernel (for idle-cost checks). */
  public long parks() {
    return poller.parks();
  }


  /** The link's state now. */
  public LinkState state() {
    return states.current();
  }

  /**
   * The link's states, the current one first: DOWN until the peer's heartbeat moves, UP while it
   * does, DOWN when it stops for the liveness bound (in-flight sends and receive subscribers then
   * fail with {@link LinkDownException}), UP again if it resumes, FAILED once closed.
   */
  public Flux<LinkState> states() {
    return states.flux();
  }

  private void setState(LinkState next) {
    states.set(next);
  }

  private Liveness.Listener livenessListener() {
    return new Liveness.Listener() {
      @Override
      public void peerDown(long silentNanos) {
        // Reset first: whoever learns of the death (a failed subscriber, the DOWN state) and
        // starts a new device finds clean rings and the next generation, never the old ones.
        resetForNewDevice();
        states.peerSilent(queues, silentNanos, livenessMs);
        setState(LinkState.DOWN);
      }

      @Override
      public void peerUp() {
        setState(LinkState.UP);
      }
    };
  }

  /** Stops the poller, unmaps and deletes the file. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    LinkShutdown.stopPolling(poller, sharedPoller, liveness, queues, interrupts);
    LinkShutdown.warnLeakedLeases(this, queues);
    states.close();
    region.close();
    region.unlink();
  }

  @Override
  public String toString() {
    return "VirtioShmLink[" + region.path() + ", " + queues.size() + " queues]";
  }
}
