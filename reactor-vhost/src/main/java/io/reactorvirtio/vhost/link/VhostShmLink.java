package io.reactorvirtio.vhost.link;

import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U32;

import io.reactorvirtio.vhost.internal.queue.DeviceRxRing;
import io.reactorvirtio.vhost.internal.queue.DeviceTxRing;
import io.reactorvirtio.vhost.internal.vringh.Vringh;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.SharedPoller;
import io.reactorvirtio.virtio.Virtqueue;
import io.reactorvirtio.virtio.LinkDownException;
import io.reactorvirtio.virtio.LinkState;
import io.reactorvirtio.virtio.internal.link.Liveness;
import io.reactorvirtio.virtio.internal.poll.LinkPoller;
import io.reactorvirtio.virtio.internal.poll.LinkPollerGroup;
import io.reactorvirtio.virtio.internal.reactive.LinkShutdown;
import io.reactorvirtio.virtio.internal.reactive.LinkStates;
import io.reactorvirtio.virtio.internal.reactive.QueueHandle;
import io.reactorvirtio.virtio.internal.ring.LittleEndian;
import io.reactorvirtio.virtio.internal.ring.QueueGeometry;
import io.reactorvirtio.virtio.link.ShmLinkLayout;
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
 * The device (vhost) side of a shared-memory link: maps the file a {@code VirtioShmLink} created,
 * validates its header (the file is the peer's, hence untrusted), waits for DRIVER_OK, and
 * attaches to the rings vringh-style. Queue directions are the driver's, mirrored.
 *
 * <pre>{@code
 * try (VhostShmLink link = VhostShmLink.open(Path.of("/dev/shm/demo"), IdlePolicy.defaults(), Duration.ofSeconds(5))) {
 *   link.queue(1).receive().doOnNext(BufferLease::release).subscribe();
 * }
 * }</pre>
 */
public final class VhostShmLink implements AutoCloseable, io.reactorvirtio.vhost.VhostDevice {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(VhostShmLink.class);

  private final SharedRegion region;
  private final LinkPoller poller;
  private final boolean sharedPoller;
  private final FutexInterruptSource interrupts;
  private final List<QueueHandle> queues = new ArrayList<>();
  private final int bufferSize;
  private final int deviceId;
  private volatile boolean closed;
  private final LinkStates states;
  private final int livenessMs;
  private final @Nullable Liveness liveness;
  private final List<java.util.function.Consumer<Vringh>> reattachers = new ArrayList<>();
  private final List<QueueGeometry> geometries = new ArrayList<>();
  private final List<String> queueNames = new ArrayList<>();
  private final int queueCount;
  private final int queueSize;
  private final boolean eventIdx;
  private int attachedGeneration;

  private VhostShmLink(SharedRegion region, IdlePolicy idle, @Nullable SharedPoller shared) {
    this.region = region;
    this.states = new LinkStates(region.path().getFileName().toString(), LinkState.DOWN);
    MemorySegment seg = region.segment();
    String file = region.path().toString();
    int count = seg.get(U32, ShmLinkLayout.QUEUES_OFFSET);
    int n = seg.get(U32, ShmLinkLayout.QUEUE_SIZE_OFFSET);
    this.bufferSize = seg.get(U32, ShmLinkLayout.BUFFER_SIZE_OFFSET);
    int version = seg.get(U32, ShmLinkLayout.VERSION_OFFSET);
    if (version != ShmLinkLayout.VERSION) {
      throw new IllegalStateException(file + ": unsupported link version " + version);
    }
    String bad = ShmLinkLayout.check(count, n, bufferSize);
    if (bad != null) {
      throw new IllegalStateException(file + ": bad link header: " + bad);
    }
    long need = ShmLinkLayout.fileSize(count, n, bufferSize);
    if (need > seg.byteSize()) {
      throw new IllegalStateException(file + ": header describes " + need + " bytes but the file has "
          + seg.byteSize());
    }
    this.livenessMs = seg.get(U32, ShmLinkLayout.LIVENESS_OFFSET);
    if (livenessMs != 0 && (livenessMs < ShmLinkLayout.MIN_LIVENESS_MS || livenessMs > ShmLinkLayout.MAX_LIVENESS_MS)) {
      throw new IllegalStateException(file + ": bad link header: liveness_ms = " + livenessMs);
    }
    this.liveness = livenessMs == 0 ? null
        : new Liveness(seg, ShmLinkLayout.DEVICE_HEARTBEAT_OFFSET, ShmLinkLayout.DRIVER_HEARTBEAT_OFFSET,
            livenessMs * 1_000_000L, livenessListener());
    this.deviceId = seg.get(U32, ShmLinkLayout.DEVICE_ID_OFFSET);
    this.queueCount = count;
    this.queueSize = n;
    this.attachedGeneration = seg.get(U32, ShmLinkLayout.GENERATION_OFFSET);
    boolean eventIdx = this.eventIdx = (seg.get(U32, ShmLinkLayout.FEATURES_OFFSET) & ShmLinkLayout.FEATURE_EVENT_IDX) != 0;
    int inbound = seg.get(U32, ShmLinkLayout.INBOUND_OFFSET);
    Window window = Window.identity(seg);
    FutexDoorbell driverDoorbell = new FutexDoorbell(seg, ShmLinkLayout.DRIVER_DOORBELL_OFFSET);
    this.interrupts = new FutexInterruptSource(seg, ShmLinkLayout.DEVICE_DOORBELL_OFFSET);
    this.sharedPoller = shared != null;
    if (shared != null && !(shared instanceof LinkPollerGroup)) {
      throw new IllegalArgumentException("not a poller made by Pollers.shared: " + shared);
    }
    this.poller = shared instanceof LinkPollerGroup g
        ? g.poller()
        : new LinkPoller(region.path().getFileName() + "-device", interrupts, idle);
    for (int q = 0; q < count; q++) {
      boolean driverInbound = (inbound & (1 << q)) != 0;
      String name = region.path().getFileName() + "/q" + q + (driverInbound ? "-tx" : "-rx");
      QueueGeometry geometry = QueueGeometry.legacy(ShmLinkLayout.ringOffset(q, n), n, ShmLinkLayout.RING_ALIGN);
      Vringh ring = Vringh.attach(name, geometry, window, eventIdx, false);
      geometries.add(geometry);
      queueNames.add(name);
      if (driverInbound) {
        DeviceTxRing tx = new DeviceTxRing(ring, driverDoorbell, bufferSize);
        reattachers.add(tx::reattach);
        queues.add(QueueHandle.outbound(q, n, tx, poller));
      } else {
        DeviceRxRing rx = new DeviceRxRing(ring, driverDoorbell, poller);
        reattachers.add(rx::reattach);
        queues.add(QueueHandle.inbound(q, n, rx, poller));
      }
    }
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
   * Maps {@code file} and attaches once the driver has set DRIVER_OK, waiting at most
   * {@code timeout} for it.
   *
   * @throws IllegalStateException when the file is not a link, its header is impossible, or the
   *     driver is not ready in time
   */
  public static VhostShmLink open(Path file, IdlePolicy idle, Duration timeout) {
    return open(file, idle, timeout, null);
  }

  /** Like {@link #open(Path, IdlePolicy, Duration)}, running the link on a {@link SharedPoller}. */
  public static VhostShmLink open(Path file, SharedPoller shared, Duration timeout) {
    return open(file, IdlePolicy.defaults(), timeout, shared);
  }

  private static VhostShmLink open(Path file, IdlePolicy idle, Duration timeout, @Nullable SharedPoller shared) {
    SharedRegion region = SharedRegion.open(file);
    try {
      MemorySegment seg = region.segment();
      if (seg.byteSize() < ShmLinkLayout.RINGS_OFFSET) {
        throw new IllegalStateException(file + ": " + seg.byteSize() + " bytes is too small for a link");
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      while ((long) LittleEndian.U64.varHandle().getAcquire(seg, ShmLinkLayout.MAGIC_OFFSET) != ShmLinkLayout.MAGIC
          || (seg.get(U32, ShmLinkLayout.STATUS_OFFSET) & ShmLinkLayout.STATUS_DRIVER_OK) == 0) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(file + ": no link header with DRIVER_OK within " + timeout);
        }
        Thread.onSpinWait();
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      }
      while (true) {
        int generation = seg.get(U32, ShmLinkLayout.GENERATION_OFFSET);
        VhostShmLink link = new VhostShmLink(region, idle, shared);
        // The driver may have been resetting the rings while we attached (its previous device just
        // died): attach again if the generation moved or DRIVER_OK went away meanwhile.
        if (seg.get(U32, ShmLinkLayout.GENERATION_OFFSET) == generation
            && ((int) LittleEndian.U32_HANDLE.getAcquire(seg, ShmLinkLayout.STATUS_OFFSET)
                & ShmLinkLayout.STATUS_DRIVER_OK) != 0) {
          return link;
        }
        link.detachForRetry();
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(file + ": the driver kept resetting the rings for " + timeout);
        }
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        while (((int) LittleEndian.U32_HANDLE.getAcquire(seg, ShmLinkLayout.STATUS_OFFSET)
            & ShmLinkLayout.STATUS_DRIVER_OK) == 0) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(file + ": no DRIVER_OK after a ring reset within " + timeout);
          }
          java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
      }
    } catch (RuntimeException e) {
      region.close();
      throw e;
    }
  }

  @Override
  public int deviceId() {
    return deviceId;
  }

  @Override
  public String name() {
    return region.path().getFileName().toString();
  }

  public Virtqueue queue(int index) {
    return queues.get(index);
  }

  @Override
  public List<? extends Virtqueue> queues() {
    return List.copyOf(queues);
  }

  public int bufferSize() {
    return bufferSize;
  }

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
  @Override
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
        states.peerSilent(queues, silentNanos, livenessMs);
        setState(LinkState.DOWN);
      }

      @Override
      public void peerUp() {
        if (region.segment().get(U32, ShmLinkLayout.GENERATION_OFFSET) != attachedGeneration) {
          followDriverReset(); // a new driver: UP only once attached to its rings
        } else {
          setState(LinkState.UP);
        }
      }

      @Override
      public void onBeat() {
        followDriverReset();
      }
    };
  }

  /** Logging may block: never on the poller thread (BlockHound treats it as non-blocking). */
  private static void offPoller(Runnable r) {
    reactor.core.scheduler.Schedulers.boundedElastic().schedule(r);
  }

  /**
   * The driver reset the rings (it took us for dead, or a new driver process took the file over):
   * what we hold belongs to the old generation. Fail it, check the header still describes the same
   * queues, and attach to the new rings (virtio reset, device side). Poller thread.
   */
  private void followDriverReset() {
    MemorySegment seg = region.segment();
    int generation = seg.get(U32, ShmLinkLayout.GENERATION_OFFSET);
    if (generation == attachedGeneration || states.current() == LinkState.FAILED) {
      return;
    }
    if (((int) LittleEndian.U32_HANDLE.getAcquire(seg, ShmLinkLayout.STATUS_OFFSET)
        & ShmLinkLayout.STATUS_DRIVER_OK) == 0) {
      return; // the driver is still resetting; look again next beat
    }
    String file = region.path().toString();
    LinkDownException error = new LinkDownException(file + ": the driver reset the rings (generation "
        + attachedGeneration + " -> " + generation + ")");
    LinkStates.failAll(queues, error);
    int count = seg.get(U32, ShmLinkLayout.QUEUES_OFFSET);
    int n = seg.get(U32, ShmLinkLayout.QUEUE_SIZE_OFFSET);
    int buf = seg.get(U32, ShmLinkLayout.BUFFER_SIZE_OFFSET);
    boolean ei = (seg.get(U32, ShmLinkLayout.FEATURES_OFFSET) & ShmLinkLayout.FEATURE_EVENT_IDX) != 0;
    if (count != queueCount || n != queueSize || buf != bufferSize || ei != eventIdx) {
      String why = file + ": the driver came back with another link shape (" + count + " queues x " + n + " x "
          + buf + " B, event_idx " + ei + "); this device link cannot follow and fails";
      offPoller(() -> log.error(why));
      setState(LinkState.FAILED);
      return;
    }
    Window window = Window.identity(seg);
    try {
      for (int q = 0; q < queueCount; q++) {
        reattachers.get(q).accept(Vringh.attach(queueNames.get(q), geometries.get(q), window, eventIdx, false));
      }
    } catch (RuntimeException e) {
      offPoller(() -> log.error("{}: cannot attach to the reset rings", file, e));
      setState(LinkState.FAILED);
      return;
    }
    attachedGeneration = generation;
    setState(LinkState.NEGOTIATING);
    if (liveness != null && liveness.peerAlive()) {
      setState(LinkState.UP);
    }
  }

  /** Undoes a constructor whose attach raced with a ring reset: stops the poller, keeps the mapping. */
  private void detachForRetry() {
    closed = true;
    LinkShutdown.stopPolling(poller, sharedPoller, liveness, queues, interrupts);
  }

  /** Stops the poller and unmaps (the driver owns and deletes the file). */
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
  }

  @Override
  public String toString() {
    return "VhostShmLink[" + region.path() + ", " + queues.size() + " queues]";
  }
}
