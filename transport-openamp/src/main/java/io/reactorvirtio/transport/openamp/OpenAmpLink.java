package io.reactorvirtio.transport.openamp;

import static io.reactorvirtio.transport.openamp.OpenAmpLayout.*;
import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U32;

import io.reactorvirtio.transport.openamp.OpenAmpOptions.SocketRole;
import io.reactorvirtio.transport.openamp.OpenAmpOptions.VirtioRole;
import io.reactorvirtio.transport.openamp.internal.GuardedQueue;
import io.reactorvirtio.transport.openamp.internal.KickSocket;
import io.reactorvirtio.transport.openamp.internal.KickSocketException;
import io.reactorvirtio.transport.openamp.internal.SharedFile;
import io.reactorvirtio.vhost.internal.queue.DeviceRxRing;
import io.reactorvirtio.vhost.internal.queue.DeviceTxRing;
import io.reactorvirtio.vhost.internal.vringh.Vringh;
import io.reactorvirtio.virtio.LinkDownException;
import io.reactorvirtio.virtio.Virtqueue;
import io.reactorvirtio.virtio.internal.poll.LinkPoller;
import io.reactorvirtio.virtio.internal.queue.DriverRxRing;
import io.reactorvirtio.virtio.internal.queue.DriverTxRing;
import io.reactorvirtio.virtio.internal.reactive.QueueHandle;
import io.reactorvirtio.virtio.internal.ring.QueueGeometry;
import io.reactorvirtio.virtio.internal.ring.SplitQueueDriver;
import io.reactorvirtio.virtio.memory.SharedRegion;
import io.reactorvirtio.virtio.memory.Window;
import io.reactorvirtio.virtio.spi.Doorbell;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A link that speaks OpenAMP's Linux user-space platform (FACTS §9): the resource table and two
 * legacy vrings in a shared file, kicks as the byte {@code 0x01} over one Unix-domain stream
 * socket. Either virtio role, either socket role, so it can face OpenAMP's {@code rpmsg-echo}
 * (device) or {@code msg-test-rpmsg-ping} (driver), or another {@code OpenAmpLink}.
 *
 * <p>Queues, as the shared-memory links: DRIVER role queue 0 INBOUND (vring0, the driver's RX) and
 * queue 1 OUTBOUND (vring1); DEVICE role mirrored, queue 0 OUTBOUND and queue 1 INBOUND. rpmsg runs
 * on top with {@code RpmsgVirtio.bus(queue(0), queue(1), ...)} as driver and {@code
 * bus(queue(1), queue(0), ...)} as device.
 *
 * <pre>{@code
 * var options = OpenAmpOptions.of(SocketRole.CLIENT, VirtioRole.DRIVER);
 * try (OpenAmpLink link = OpenAmpLink.open(options)) {       // blocks until set up
 *   link.queue(1).send(Flux.just(MemorySegment.ofArray(bytes))).block();
 * }
 * }</pre>
 *
 * <p>Kicks reach the poller through a reader thread (a thread hop per batch of kicks), and the
 * doorbell hands its byte to a writer thread: this link is for compatibility with OpenAMP, not
 * for speed; the futex-doorbell links are the fast path. When the peer closes the socket the link
 * goes down: subscribers get {@link LinkDownException}, {@link #onDown()} errors with it.
 */
public final class OpenAmpLink implements AutoCloseable {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OpenAmpLink.class);

  /** Features this link accepts (VIRTIO_RPMSG_F_NS). */
  public static final int SUPPORTED_FEATURES = VIRTIO_RPMSG_F_NS;

  private static final VarHandle BYTE = ValueLayout.JAVA_BYTE.varHandle();

  private final OpenAmpOptions options;
  private final SharedRegion region;
  private final KickSocket kicks;
  private final ResourceTable table;
  private final LinkPoller poller;
  private final List<QueueHandle> handles = new ArrayList<>();
  private final List<Virtqueue> queues = new ArrayList<>();
  private final Sinks.Empty<Void> down = Sinks.empty();
  private volatile @Nullable String downReason;
  private volatile boolean closed;

  private OpenAmpLink(OpenAmpOptions options, SharedRegion region, KickSocket kicks, ResourceTable table) {
    this.options = options;
    this.region = region;
    this.kicks = kicks;
    this.table = table;
    MemorySegment seg = region.segment();
    Window window = Window.identity(seg);
    Doorbell doorbell = kicks.doorbell();
    String base = region.path().getFileName() + "-" + options.virtioRole().name().toLowerCase();
    this.poller = new LinkPoller(base, kicks.interrupts(), options.idle());
    ResourceTable.Vring v0 = table.vrings().get(0);
    ResourceTable.Vring v1 = table.vrings().get(1);
    QueueGeometry g0 = QueueGeometry.legacy(v0.da(), v0.num(), v0.align());
    QueueGeometry g1 = QueueGeometry.legacy(v1.da(), v1.num(), v1.align());
    DriverRxRing rx = null;
    if (options.virtioRole() == VirtioRole.DRIVER) {
      // Zero both ring areas, as OpenAMP's driver does, then lay out fresh rings.
      seg.asSlice(v0.da(), ringBytes(v0.num(), v0.align())).fill((byte) 0);
      seg.asSlice(v1.da(), ringBytes(v1.num(), v1.align())).fill((byte) 0);
      SplitQueueDriver r0 = SplitQueueDriver.create(base + "/vring0-rx", g0, window, false);
      SplitQueueDriver r1 = SplitQueueDriver.create(base + "/vring1-tx", g1, window, false);
      rx = new DriverRxRing(r0, doorbell, seg, RX_BUFFERS, RX_BUFFERS, BUFFER_SIZE);
      handles.add(QueueHandle.inbound(0, v0.num(), rx, poller));
      handles.add(QueueHandle.outbound(1, v1.num(),
          new DriverTxRing(r1, doorbell, seg, TX_BUFFERS, TX_BUFFERS, BUFFER_SIZE), poller));
    } else {
      // Attach without clearing: stale content is normal; the device resumes from used.idx.
      Vringh d0 = Vringh.attach(base + "/vring0-tx", g0, window, false, false);
      Vringh d1 = Vringh.attach(base + "/vring1-rx", g1, window, false, false);
      handles.add(QueueHandle.outbound(0, v0.num(), new DeviceTxRing(d0, doorbell, BUFFER_SIZE), poller));
      handles.add(QueueHandle.inbound(1, v1.num(), new DeviceRxRing(d1, doorbell, poller), poller));
    }
    for (QueueHandle h : handles) {
      queues.add(new GuardedQueue(h, () -> downReason));
    }
    poller.start();
    if (rx != null) {
      // Post every RX buffer at start (buffer i at 0x10000 + i*512), then features and DRIVER_OK.
      rx.replenish(v0.num());
      long v = table.vdevOffset();
      seg.set(U32, v + VDEV_GFEATURES, table.dfeatures() & SUPPORTED_FEATURES);
      BYTE.setRelease(seg, v + VDEV_STATUS, (byte) STATUS_DRIVER_OK);
      doorbell.ring();
    }
  }

  /**
   * Sets the link up as {@code options} say (blocking): maps the file (creating or growing it),
   * as socket server writes the resource table and accepts the peer, as client connects; then as
   * DRIVER initialises the rings, posts the RX buffers and sets DRIVER_OK, as DEVICE waits for
   * DRIVER_OK and attaches.
   *
   * @throws ResourceTableException if the table in the file breaks a rule
   * @throws OpenAmpException if the peer does not connect, or (DEVICE) does not set DRIVER_OK, in
   *     time, or closes the socket meanwhile
   */
  public static OpenAmpLink open(OpenAmpOptions options) {
    SharedRegion region = SharedFile.openOrCreate(options.file(), FILE_SIZE);
    KickSocket kicks = null;
    try {
      MemorySegment seg = region.segment();
      try {
        if (options.socketRole() == SocketRole.SERVER) {
          writeTable(seg, options.vdevId(), VIRTIO_RPMSG_F_NS);
          kicks = KickSocket.accept(options.socket(), options.connectTimeout());
        } else {
          kicks = KickSocket.connect(options.socket(), options.connectTimeout());
        }
      } catch (KickSocketException e) {
        throw new OpenAmpException(e.getMessage(), e);
      }
      OpenAmpLink[] self = new OpenAmpLink[1];
      String[] early = new String[1];
      kicks.start(why -> {
        OpenAmpLink l = self[0];
        if (l != null) {
          l.peerLost(why);
        } else {
          early[0] = why;
        }
      });
      ResourceTable table;
      if (options.virtioRole() == VirtioRole.DEVICE) {
        table = awaitDriverOk(seg, options, kicks);
      } else {
        table = ResourceTable.parse(seg, options.vdevId());
      }
      checkPlacement(table);
      OpenAmpLink link = new OpenAmpLink(options, region, kicks, table);
      self[0] = link;
      if (kicks.peerLost()) {
        link.peerLost(early[0] != null ? early[0] : "peer closed the kick socket");
      }
      return link;
    } catch (RuntimeException e) {
      if (kicks != null) {
        kicks.close();
        kicks.release();
      }
      region.close();
      throw e;
    }
  }

  private static ResourceTable awaitDriverOk(MemorySegment seg, OpenAmpOptions options, KickSocket kicks) {
    long deadline = System.nanoTime() + options.driverOkTimeout().toNanos();
    while (true) {
      // The table may be stale or the peer's: validate before trusting where the status byte is.
      ResourceTable t = ResourceTable.parse(seg, options.vdevId());
      int status = (byte) BYTE.getAcquire(seg, t.vdevOffset() + VDEV_STATUS) & 0xFF;
      if ((status & STATUS_DRIVER_OK) != 0) {
        ResourceTable ready = ResourceTable.parse(seg, options.vdevId());
        int unoffered = ready.gfeatures() & ~ready.dfeatures();
        if (unoffered != 0) {
          throw new ResourceTableException("vdev.gfeatures", Integer.toUnsignedLong(ready.gfeatures()),
              "the driver accepted features the device never offered (dfeatures 0x"
                  + Integer.toHexString(ready.dfeatures()) + ")");
        }
        return ready;
      }
      if (kicks.peerLost()) {
        throw new OpenAmpException(options.file() + ": the peer closed the kick socket before DRIVER_OK");
      }
      if (System.nanoTime() - deadline > 0) {
        throw new OpenAmpException(options.file() + ": the driver did not set DRIVER_OK (status 0x"
            + Integer.toHexString(status) + ") within " + options.driverOkTimeout());
      }
      LockSupport.parkNanos(1_000_000); // OpenAMP's device polls about every 1 ms
    }
  }

  /** The rings and the fixed buffer pool must not overlap, and the pool holds 256 buffers a ring. */
  private static void checkPlacement(ResourceTable t) {
    int poolBuffers = (int) ((TX_BUFFERS - RX_BUFFERS) / BUFFER_SIZE);
    for (ResourceTable.Vring v : t.vrings().subList(0, 2)) {
      String p = "vring[" + v.index() + "].";
      if (v.num() > poolBuffers) {
        throw new ResourceTableException(p + "num", v.num(), "more than the " + poolBuffers
            + " buffers of this platform's pool per ring");
      }
      long end = v.da() + ringBytes(v.num(), v.align());
      if (v.da() < BUFFER_POOL_END && end > RX_BUFFERS) {
        throw new ResourceTableException(p + "da", v.da(), "ring overlaps the buffer pool 0x10000-0x4FFFF");
      }
    }
  }

  private void peerLost(String why) {
    if (closed || downReason != null) {
      return;
    }
    downReason = why;
    log.warn("{}: link down: {}", this, why);
    down.tryEmitError(new LinkDownException(why));
    poller.execute(() -> handles.forEach(QueueHandle::detach));
  }

  /** Queue {@code index}: 0 = vring0, 1 = vring1 (directions in the class comment). */
  public Virtqueue queue(int index) {
    return queues.get(index);
  }

  public List<Virtqueue> queues() {
    return List.copyOf(queues);
  }

  /** The resource table as validated at start-up (status and gfeatures as they were then). */
  public ResourceTable resourceTable() {
    return table;
  }

  public OpenAmpOptions options() {
    return options;
  }

  public Path path() {
    return region.path();
  }

  /** Whether the peer is still connected (the kick socket is open) and the link not closed. */
  public boolean isUp() {
    return !closed && downReason == null;
  }

  /**
   * Completes when this link is closed, errors with {@link LinkDownException} when the peer
   * closes the kick socket first.
   */
  public Mono<Void> onDown() {
    return down.asMono();
  }

  /** Times the poller parked (for idle-cost checks). */
  public long parks() {
    return poller.parks();
  }

  /**
   * Stops the poller (subscribers get {@link LinkDownException}), closes the socket and its
   * threads, unmaps. The file stays unless {@link OpenAmpOptions#unlinkOnClose()}.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    poller.close();
    for (QueueHandle q : handles) {
      int leaked = q.outstandingLeases();
      if (leaked > 0) {
        log.warn("{}: {} receive lease(s) of queue {} were never released", this, leaked, q.name());
      }
    }
    kicks.close();
    kicks.release();
    region.close();
    if (options.unlinkOnClose()) {
      region.unlink();
    }
    down.tryEmitEmpty();
  }

  @Override
  public String toString() {
    return "OpenAmpLink[" + region.path() + ", " + options.virtioRole() + ", socket " + options.socketRole() + "]";
  }
}
