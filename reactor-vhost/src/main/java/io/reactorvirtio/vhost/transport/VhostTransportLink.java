package io.reactorvirtio.vhost.transport;

import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.STATUS_DEVICE_NEEDS_RESET;
import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.STATUS_DRIVER_OK;
import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.STATUS_FEATURES_OK;

import io.reactorvirtio.vhost.VhostDevice;
import io.reactorvirtio.vhost.internal.queue.DeviceRxRing;
import io.reactorvirtio.vhost.internal.queue.DeviceTxRing;
import io.reactorvirtio.vhost.internal.vringh.Vringh;
import io.reactorvirtio.virtio.ConfigViolation;
import io.reactorvirtio.virtio.ConfigViolationException;
import io.reactorvirtio.virtio.LinkDownException;
import io.reactorvirtio.virtio.LinkEvent;
import io.reactorvirtio.virtio.LinkState;
import io.reactorvirtio.virtio.VirtioException;
import io.reactorvirtio.virtio.Virtqueue;
import io.reactorvirtio.virtio.Virtqueue.Direction;
import io.reactorvirtio.virtio.internal.config.ConfigChecks;
import io.reactorvirtio.virtio.internal.link.Liveness;
import io.reactorvirtio.virtio.internal.poll.LinkPoller;
import io.reactorvirtio.virtio.internal.poll.PollerTask;
import io.reactorvirtio.virtio.internal.reactive.LinkShutdown;
import io.reactorvirtio.virtio.internal.reactive.LinkStates;
import io.reactorvirtio.virtio.internal.reactive.QueueHandle;
import io.reactorvirtio.virtio.internal.ring.QueueGeometry;
import io.reactorvirtio.virtio.link.ShmLinkLayout;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.memory.Window;
import io.reactorvirtio.virtio.spi.DeviceTransport;
import io.reactorvirtio.virtio.spi.InterruptSource;
import io.reactorvirtio.virtio.spi.RegisterFile;
import io.reactorvirtio.virtio.transport.VirtioRegisters;
import io.reactorvirtio.virtio.transport.VirtioTransportLink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * The device (vhost) side of a link over any {@link DeviceTransport} (PCIe endpoint function, NTB
 * host 2, their simulations). It publishes its device id, features, queue count and maximum sizes
 * in the {@linkplain VirtioRegisters register block} first; then it follows the driver's
 * device_status writes, checking each one (the driver is the peer, hence untrusted:
 * {@link ConfigChecks}), and attaches to the rings only once DRIVER_OK is set and every queue's
 * size and ring addresses have been checked against the window. It echoes each status it
 * accepted in STATUS_ACK.
 *
 * <p>A driver that breaks the protocol — features never offered, status going backwards or out of
 * order, a queue size that is not a power of two or too large, rings outside the window, no
 * DRIVER_OK within the negotiation bound — is refused: DEVICE_NEEDS_RESET in STATUS_ACK with the
 * reason in the ERROR registers, {@link LinkState#NEEDS_RESET} with a {@link
 * ConfigViolationException} naming the register and the value on {@link #events()}, and a log
 * line. The device then waits for the driver to reset (a new session) and negotiates again: a
 * device link does not give up on its driver; only {@link #close()} ends it.
 *
 * <p>Queues exist from the first DRIVER_OK on ({@link #queues()} is empty before); a
 * re-negotiation with the same sizes re-attaches them in place, with other sizes it replaces them.
 */
public final class VhostTransportLink implements VhostDevice, AutoCloseable {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(VhostTransportLink.class);

  /** How long a driver may take from its first status write to DRIVER_OK. */
  public static final Duration DEFAULT_NEGOTIATION_TIMEOUT = VirtioTransportLink.DEFAULT_NEGOTIATION_TIMEOUT
      .multipliedBy(2);

  private static final long STEP_NANOS = 200_000;
  private static final long UP_CHECK_NANOS = 20_000_000;

  private final DeviceTransport transport;
  private final RegisterFile regs;
  private final String name;
  private final ShmLinkOptions options;
  private final long timeoutNanos;
  private final LinkPoller poller;
  private final InterruptSource interrupts;
  private final LinkStates states;
  private final @Nullable Liveness liveness;
  private final Follower follower = new Follower();
  private final long offered;
  private final int inboundMask;
  private volatile List<QueueHandle> queues = List.of();
  /** Per queue: re-attach to fresh rings, and stop touching the rings (same order as {@link #queues}). */
  private final List<java.util.function.Consumer<Vringh>> reattachers = new ArrayList<>();
  private final List<Runnable> suspenders = new ArrayList<>();
  private int attachedSize;
  private int attachedBuffer;
  private volatile boolean closed;

  private VhostTransportLink(DeviceTransport transport, ShmLinkOptions options, Duration negotiationTimeout) {
    this.transport = transport;
    this.regs = transport.registers();
    this.name = transport.name();
    this.options = options;
    if (negotiationTimeout.isNegative() || negotiationTimeout.isZero()) {
      throw new IllegalArgumentException(name + ": negotiation timeout must be positive: " + negotiationTimeout);
    }
    this.timeoutNanos = negotiationTimeout.toNanos();
    int count = options.directions().size();
    if (count > VirtioRegisters.MAX_QUEUES || regs.count() < VirtioRegisters.count(count)) {
      throw new IllegalArgumentException(name + ": the register block has " + regs.count() + " registers; "
          + count + " queues need " + VirtioRegisters.count(count) + " (at most " + VirtioRegisters.MAX_QUEUES
          + " queues)");
    }
    int inbound = 0;
    for (int q = 0; q < count; q++) {
      if (options.directions().get(q) == Direction.INBOUND) {
        inbound |= 1 << q;
      }
    }
    this.inboundMask = inbound;
    this.offered = VirtioRegisters.F_VERSION_1 | (options.eventIdx() ? VirtioRegisters.F_EVENT_IDX : 0);
    this.states = new LinkStates(name, LinkState.DOWN);
    this.interrupts = transport.interrupts();
    this.poller = new LinkPoller(name + "-device", interrupts, options.idle());
    int livenessMs = (int) options.liveness().toMillis();
    this.liveness = livenessMs == 0 ? null
        : new Liveness(Liveness.registerBeats(regs, VirtioRegisters.DEVICE_HEARTBEAT,
            VirtioRegisters.DRIVER_HEARTBEAT), livenessMs * 1_000_000L, livenessListener(livenessMs));
    publish();
    if (liveness != null) {
      liveness.beatNow();
      poller.register(liveness);
    }
    poller.register(follower);
    poller.start();
  }

  /**
   * Starts the device side on {@code transport}: publishes the registers (the device goes first)
   * and waits, on its poller, for a driver. {@code options} gives the device id, the queues and
   * their directions (as the driver sees them), the largest queue size accepted, whether
   * EVENT_IDX is offered, the idle policy and the liveness bound ({@code bufferSize} is the
   * driver's: it is read from the registers). The link owns the transport and closes it.
   */
  public static VhostTransportLink create(DeviceTransport transport, ShmLinkOptions options) {
    return create(transport, options, DEFAULT_NEGOTIATION_TIMEOUT);
  }

  /** Like {@link #create(DeviceTransport, ShmLinkOptions)}, with the bound from the driver's first status write to DRIVER_OK. */
  public static VhostTransportLink create(DeviceTransport transport, ShmLinkOptions options,
      Duration negotiationTimeout) {
    try {
      return new VhostTransportLink(transport, options, negotiationTimeout);
    } catch (RuntimeException e) {
      transport.close();
      throw e;
    }
  }

  /**
   * Publishes this device: withdraws the magic, writes what the device offers and a new
   * generation, then the magic (release) — a driver that sees the magic sees the rest.
   */
  private void publish() {
    regs.write(VirtioRegisters.MAGIC, 0);
    regs.write(VirtioRegisters.VERSION, VirtioRegisters.VERSION_VALUE);
    regs.write(VirtioRegisters.DEVICE_ID, options.deviceId());
    regs.write(VirtioRegisters.DEVICE_FEATURE_LO, (int) offered);
    regs.write(VirtioRegisters.DEVICE_FEATURE_HI, (int) (offered >>> 32));
    int count = options.directions().size();
    regs.write(VirtioRegisters.NUM_QUEUES, count | inboundMask << 16);
    for (int q = 0; q < count; q++) {
      regs.write(VirtioRegisters.queue(q, VirtioRegisters.QUEUE_MAX_SIZE), options.queueSize());
    }
    clearError();
    // Whatever DEVICE_STATUS holds belongs to a driver session this device instance did not
    // follow from 0 (a restarted device must not adopt an old DRIVER_OK): wait for a new session.
    follower.session = regs.read(VirtioRegisters.SESSION);
    follower.refused = true;
    regs.write(VirtioRegisters.STATUS_ACK, 0);
    regs.write(VirtioRegisters.ACK_SESSION, follower.session);
    regs.write(VirtioRegisters.DEVICE_GENERATION, regs.read(VirtioRegisters.DEVICE_GENERATION) + 1);
    regs.write(VirtioRegisters.MAGIC, VirtioRegisters.MAGIC_VALUE);
  }

  private void clearError() {
    regs.write(VirtioRegisters.ERROR_CODE, 0);
    regs.write(VirtioRegisters.ERROR_QUEUE, -1);
    regs.write(VirtioRegisters.ERROR_VALUE, 0);
  }

  @Override
  public int deviceId() {
    return options.deviceId();
  }

  @Override
  public String name() {
    return name;
  }

  /** The queues, from the first DRIVER_OK on (empty before). */
  @Override
  public List<? extends Virtqueue> queues() {
    return List.copyOf(queues);
  }

  public Virtqueue queue(int index) {
    List<QueueHandle> q = queues;
    if (index >= q.size()) {
      throw new IllegalStateException(name + ": no queue " + index + " yet (the driver has not set DRIVER_OK)");
    }
    return q.get(index);
  }

  /** The buffer size the driver announced in the last negotiation (0 before). */
  public int bufferSize() {
    return follower.bufferSize;
  }

  public LinkState state() {
    return states.current();
  }

  /**
   * DOWN until a driver is there, NEGOTIATING, UP after a checked DRIVER_OK, NEEDS_RESET when the
   * driver broke the protocol (until it resets), DOWN when it goes silent, FAILED once closed.
   */
  @Override
  public Flux<LinkState> states() {
    return states.flux();
  }

  /** The same changes with their reasons (what the driver wrote that was refused). */
  public Flux<LinkEvent> events() {
    return states.events();
  }

  public @Nullable VirtioException lastProblem() {
    return states.lastProblem();
  }

  private Liveness.Listener livenessListener(int livenessMs) {
    return new Liveness.Listener() {
      @Override
      public void peerDown(long silentNanos) {
        LinkDownException why = new LinkDownException(name + ": driver silent for " + silentNanos / 1_000_000
            + " ms (liveness bound " + livenessMs + " ms)");
        LinkStates.failAll(queues, why);
        follower.detachRings();
        // If the driver is only slow (not dead), it must not go on with rings we stopped
        // serving: ask it for a reset, and follow nothing until it makes one (a new session).
        follower.refused = true;
        regs.write(VirtioRegisters.STATUS_ACK, follower.status | STATUS_DEVICE_NEEDS_RESET);
        regs.write(VirtioRegisters.ACK_SESSION, follower.session);
        states.set(LinkState.DOWN, why);
      }

      @Override
      public void peerUp() {
        follower.nextLook = System.nanoTime();
        if (follower.attached) {
          states.set(LinkState.UP, null);
        } else if (states.current() == LinkState.DOWN) {
          states.set(LinkState.NEGOTIATING, null);
        }
      }
    };
  }

  private static void offPoller(Runnable r) {
    Schedulers.boundedElastic().schedule(r);
  }

  /** Follows the driver's status writes; a state machine on the poller thread. */
  private final class Follower implements PollerTask {

    private int session;
    private int status;
    private boolean refused;
    private boolean attached;
    private long startedAt;
    private long nextLook;
    private volatile int bufferSize;

    @Override
    public int doWork() {
      long now = System.nanoTime();
      if (now - nextLook < 0 || closed) {
        return 0;
      }
      nextLook = now + (attached ? UP_CHECK_NANOS : STEP_NANOS);
      if (!transport.hardwareLinkUp()) {
        if (attached || states.current() != LinkState.DOWN) {
          LinkDownException why = new LinkDownException(name + ": the hardware link went down");
          LinkStates.failAll(queues, why);
          detachRings();
          states.set(LinkState.DOWN, why);
        }
        return 0;
      }
      int s = regs.read(VirtioRegisters.SESSION);
      if (s != session) {
        session = s;
        reset();
      }
      if (refused) {
        return 0; // NEEDS_RESET: nothing until the driver resets (a new session)
      }
      int next = regs.read(VirtioRegisters.DEVICE_STATUS);
      if (next == status) {
        if (status != 0 && (status & STATUS_DRIVER_OK) == 0 && now - startedAt > timeoutNanos) {
          refuse(new ConfigViolationException(name, ConfigViolation.NO_DRIVER_OK, "device_status after "
              + Duration.ofNanos(timeoutNanos), status), -1);
        }
        return 0;
      }
      if (next == 0) {
        reset();
        return 0;
      }
      try {
        ConfigChecks.checkStatusWrite(name, status, next, false);
        if (status == 0) {
          startedAt = now;
          if (states.current() != LinkState.NEGOTIATING) {
            states.set(LinkState.NEGOTIATING, null);
          }
        }
        if ((next & STATUS_FEATURES_OK) != 0 && (status & STATUS_FEATURES_OK) == 0) {
          long accepted = (regs.read(VirtioRegisters.DRIVER_FEATURE_LO) & 0xFFFF_FFFFL)
              | (long) regs.read(VirtioRegisters.DRIVER_FEATURE_HI) << 32;
          ConfigChecks.checkAcceptedFeatures(name, offered, accepted);
        }
        if ((next & STATUS_DRIVER_OK) != 0 && (status & STATUS_DRIVER_OK) == 0) {
          attach();
        }
      } catch (ConfigViolationException e) {
        refuse(e, errorQueue);
        return 0;
      }
      status = next;
      regs.write(VirtioRegisters.STATUS_ACK, next);
      regs.write(VirtioRegisters.ACK_SESSION, session);
      if ((next & STATUS_DRIVER_OK) != 0) {
        states.set(liveness == null || liveness.peerAlive() ? LinkState.UP : LinkState.NEGOTIATING, null);
        int size = attachedSize;
        offPoller(() -> log.info("{}: up ({} queues of {}, session {})", name, queues.size(), size, session));
      }
      return 1;
    }

    private int errorQueue = -1;

    /** Stops every queue touching its ring until the next attach (virtio: no ring access outside DRIVER_OK). */
    void detachRings() {
      attached = false;
      suspenders.forEach(Runnable::run);
    }

    @Override
    public long wakeWithinNanos() {
      return attached || refused ? UP_CHECK_NANOS : STEP_NANOS;
    }

    /** The driver reset the device: drop the rings (they are being re-initialised), acknowledge 0. */
    private void reset() {
      if (attached) {
        LinkStates.failAll(queues, new LinkDownException(name + ": the driver reset the device"));
      }
      detachRings(); // before acknowledging 0: the driver may re-initialise the rings from then on
      refused = false;
      status = 0;
      clearError();
      regs.write(VirtioRegisters.STATUS_ACK, 0);
      regs.write(VirtioRegisters.ACK_SESSION, session);
      if (states.current() == LinkState.UP || states.current() == LinkState.NEEDS_RESET) {
        states.set(LinkState.NEGOTIATING, null);
      }
    }

    /**
     * DRIVER_OK: check every queue the driver programmed and the buffer size, then attach (virtio:
     * the device touches no ring before this point).
     */
    private void attach() {
      int count = options.directions().size();
      int buf = regs.read(VirtioRegisters.BUFFER_SIZE);
      if (buf < ShmLinkLayout.MIN_BUFFER_SIZE || buf > ShmLinkLayout.MAX_BUFFER_SIZE) {
        errorQueue = -1;
        throw new ConfigViolationException(name, ConfigViolation.DEVICE_CONFIG, "buffer_size", buf);
      }
      long accepted = (regs.read(VirtioRegisters.DRIVER_FEATURE_LO) & 0xFFFF_FFFFL)
          | (long) regs.read(VirtioRegisters.DRIVER_FEATURE_HI) << 32;
      boolean eventIdx = (accepted & VirtioRegisters.F_EVENT_IDX) != 0;
      Window window = transport.window();
      List<QueueGeometry> geometries = new ArrayList<>(count);
      int size = -1;
      for (int q = 0; q < count; q++) {
        errorQueue = q;
        if (regs.read(VirtioRegisters.queue(q, VirtioRegisters.QUEUE_ENABLE)) != 1) {
          throw new ConfigViolationException(name, ConfigViolation.QUEUE_NOT_ENABLED, "queue " + q + " queue_enable",
              regs.read(VirtioRegisters.queue(q, VirtioRegisters.QUEUE_ENABLE)));
        }
        QueueGeometry g = ConfigChecks.checkQueue(name, q, count, options.queueSize(),
            regs.read(VirtioRegisters.queue(q, VirtioRegisters.QUEUE_SIZE)),
            read64(VirtioRegisters.queue(q, VirtioRegisters.QUEUE_DESC_LO)),
            read64(VirtioRegisters.queue(q, VirtioRegisters.QUEUE_DRIVER_LO)),
            read64(VirtioRegisters.queue(q, VirtioRegisters.QUEUE_DEVICE_LO)), window);
        if (size >= 0 && g.size() != size) {
          throw new ConfigViolationException(name, ConfigViolation.DEVICE_CONFIG,
              "queue " + q + " queue_size (all queues of this device share one size)", g.size());
        }
        size = g.size();
        geometries.add(g);
      }
      errorQueue = -1;
      List<Vringh> rings = new ArrayList<>(count);
      for (int q = 0; q < count; q++) {
        boolean driverInbound = options.directions().get(q) == Direction.INBOUND;
        rings.add(Vringh.attach(name + "/q" + q + (driverInbound ? "-tx" : "-rx"), geometries.get(q), window,
            eventIdx, false));
      }
      bufferSize = buf;
      if (queues.isEmpty() || size != attachedSize || buf != attachedBuffer) {
        List<QueueHandle> old = queues;
        old.forEach(QueueHandle::detach);
        reattachers.clear();
        suspenders.clear();
        List<QueueHandle> fresh = new ArrayList<>(count);
        for (int q = 0; q < count; q++) {
          if (options.directions().get(q) == Direction.INBOUND) {
            DeviceTxRing tx = new DeviceTxRing(rings.get(q), transport.driverDoorbell(q), buf);
            reattachers.add(tx::reattach);
            suspenders.add(tx::suspend);
            fresh.add(QueueHandle.outbound(q, size, tx, poller));
          } else {
            DeviceRxRing rx = new DeviceRxRing(rings.get(q), transport.driverDoorbell(q), poller);
            reattachers.add(rx::reattach);
            suspenders.add(rx::suspend);
            fresh.add(QueueHandle.inbound(q, size, rx, poller));
          }
        }
        queues = List.copyOf(fresh);
        attachedSize = size;
        attachedBuffer = buf;
      } else {
        for (int q = 0; q < count; q++) {
          reattachers.get(q).accept(rings.get(q));
        }
      }
      attached = true;
    }

    private long read64(int lo) {
      return (regs.read(lo) & 0xFFFF_FFFFL) | (long) regs.read(lo + 1) << 32;
    }

    /** Refuses the driver's configuration until it resets: NEEDS_RESET with the reason. */
    private void refuse(ConfigViolationException why, int queue) {
      refused = true;
      if (attached) {
        LinkStates.failAll(queues, new LinkDownException(name + ": " + why.getMessage()));
      }
      detachRings();
      regs.write(VirtioRegisters.ERROR_CODE, why.violation().ordinal() + 1);
      regs.write(VirtioRegisters.ERROR_QUEUE, queue);
      regs.write(VirtioRegisters.ERROR_VALUE, (int) why.value());
      regs.write(VirtioRegisters.STATUS_ACK, status | STATUS_DEVICE_NEEDS_RESET);
      regs.write(VirtioRegisters.ACK_SESSION, session);
      states.set(LinkState.NEEDS_RESET, why);
      offPoller(() -> log.error("{}: refused the driver's configuration, waiting for a reset: {}", name,
          why.getMessage()));
    }
  }

  /** Stops the poller, withdraws the device (magic 0) and closes the transport. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    LinkShutdown.stopPolling(poller, false, liveness, queues, interrupts);
    regs.write(VirtioRegisters.MAGIC, 0);
    LinkShutdown.warnLeakedLeases(this, queues);
    states.close();
    transport.close();
  }

  @Override
  public String toString() {
    return "VhostTransportLink[" + name + ", " + queues.size() + " queues, " + states.current() + "]";
  }
}
