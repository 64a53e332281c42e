package io.reactorvirtio.virtio.transport;

import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.STATUS_ACKNOWLEDGE;
import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.STATUS_DEVICE_NEEDS_RESET;
import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.STATUS_DRIVER;
import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.STATUS_DRIVER_OK;
import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.STATUS_FEATURES_OK;

import io.reactorvirtio.virtio.ConfigViolation;
import io.reactorvirtio.virtio.ConfigViolationException;
import io.reactorvirtio.virtio.LinkDownException;
import io.reactorvirtio.virtio.LinkEvent;
import io.reactorvirtio.virtio.LinkState;
import io.reactorvirtio.virtio.VirtioException;
import io.reactorvirtio.virtio.Virtqueue;
import io.reactorvirtio.virtio.Virtqueue.Direction;
import io.reactorvirtio.virtio.internal.link.Liveness;
import io.reactorvirtio.virtio.internal.poll.LinkPoller;
import io.reactorvirtio.virtio.internal.poll.PollerTask;
import io.reactorvirtio.virtio.internal.queue.DriverRxRing;
import io.reactorvirtio.virtio.internal.queue.DriverTxRing;
import io.reactorvirtio.virtio.internal.reactive.LinkShutdown;
import io.reactorvirtio.virtio.internal.reactive.LinkStates;
import io.reactorvirtio.virtio.internal.reactive.QueueHandle;
import io.reactorvirtio.virtio.internal.ring.QueueGeometry;
import io.reactorvirtio.virtio.internal.ring.SplitQueueDriver;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.memory.Window;
import io.reactorvirtio.virtio.spi.Doorbell;
import io.reactorvirtio.virtio.spi.DriverTransport;
import io.reactorvirtio.virtio.spi.InterruptSource;
import io.reactorvirtio.virtio.spi.RegisterFile;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * The virtio driver side of a link over any {@link DriverTransport} (PCIe root complex, NTB host 1,
 * their simulations): lays out the rings and buffers in the transport's memory, negotiates with
 * the device through the {@linkplain VirtioRegisters register block} as a virtio-pci driver does
 * (reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queues, DRIVER_OK — FACTS §1.8), and runs
 * the queues on a poller thread.
 *
 * <p>The link follows its device: it waits until the device has published its registers (the
 * device goes first), re-negotiates when the device restarts (a new {@code DEVICE_GENERATION}),
 * when it stops beating (liveness), when the hardware link drops, and when the device asks for a
 * reset (DEVICE_NEEDS_RESET). Work in flight then fails with {@link LinkDownException}; the rings
 * are reset before the next negotiation. A device that refuses the configuration (its reason, a
 * {@link ConfigViolationException}, is on {@link #events()}) is retried {@value #MAX_REFUSALS}
 * times, with a growing pause; after that the link is FAILED — as with a device that is not what
 * this driver was made for (another device id, other queues, no room for the queue size) — until
 * a new device instance publishes itself (a new {@code DEVICE_GENERATION}), which gets a fresh try.
 *
 * <pre>{@code
 * try (VirtioTransportLink link = VirtioTransportLink.create(transport, ShmLinkOptions.defaults())) {
 *   link.states().filter(s -> s == LinkState.UP).blockFirst(Duration.ofSeconds(5));
 *   link.queue(1).send(Flux.just(MemorySegment.ofArray("hello".getBytes()))).block();
 * }
 * }</pre>
 */
public final class VirtioTransportLink implements AutoCloseable {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(VirtioTransportLink.class);

  /** How long the driver waits for the device to acknowledge one negotiation step. */
  public static final Duration DEFAULT_NEGOTIATION_TIMEOUT = Duration.ofSeconds(2);

  /** Refusals (or unacknowledged steps) in a row after which the link gives up (FAILED). */
  public static final int MAX_REFUSALS = 3;

  /** While negotiating, the registers are looked at this often. */
  private static final long STEP_NANOS = 200_000;

  /** While up, the device's registers (generation, NEEDS_RESET, session) are looked at this often. */
  private static final long UP_CHECK_NANOS = 20_000_000;

  private enum Phase { WAIT_DEVICE, RESET, FEATURES, DRIVER_OK, UP, BACKOFF, FAILED }

  private final DriverTransport transport;
  private final RegisterFile regs;
  private final String name;
  private final ShmLinkOptions options;
  private final long timeoutNanos;
  private final LinkPoller poller;
  private final InterruptSource interrupts;
  private final List<QueueHandle> queues = new ArrayList<>();
  private final List<Runnable> ringResets = new ArrayList<>();
  private final List<QueueGeometry> geometries = new ArrayList<>();
  private final List<Doorbell> doorbells = new ArrayList<>();
  private final LinkStates states;
  private final @Nullable Liveness liveness;
  private final Negotiation negotiation = new Negotiation();
  private final long wantedFeatures;
  private final int inboundMask;
  /** Kicks reach the device only after DRIVER_OK was acknowledged (virtio: none before DRIVER_OK). */
  private volatile boolean driverOk;
  private volatile boolean closed;

  private VirtioTransportLink(DriverTransport transport, ShmLinkOptions options, Duration negotiationTimeout) {
    this.transport = transport;
    this.regs = transport.registers();
    this.name = transport.name();
    this.options = options;
    this.timeoutNanos = negotiationTimeout.toNanos();
    if (negotiationTimeout.isNegative() || negotiationTimeout.isZero()) {
      throw new IllegalArgumentException(name + ": negotiation timeout must be positive: " + negotiationTimeout);
    }
    int count = options.directions().size();
    if (count > VirtioRegisters.MAX_QUEUES) {
      throw new IllegalArgumentException(name + ": " + count + " queues; a transport link has at most "
          + VirtioRegisters.MAX_QUEUES);
    }
    if (regs.count() < VirtioRegisters.count(count)) {
      throw new IllegalArgumentException(name + ": the register block has " + regs.count()
          + " registers; " + count + " queues need " + VirtioRegisters.count(count));
    }
    int n = options.queueSize();
    MemorySegment memory = transport.memory();
    long bus = transport.memoryBusAddress();
    long need = TransportMemoryLayout.requiredBytes(count, n, options.bufferSize());
    if (memory.byteSize() < need) {
      throw new IllegalArgumentException(name + ": the transport gives " + memory.byteSize()
          + " bytes of driver memory; " + count + " queues x " + n + " x " + options.bufferSize() + " B need " + need);
    }
    Window window = Window.of(memory, bus);
    this.states = new LinkStates(name, LinkState.DOWN);
    this.interrupts = transport.interrupts();
    this.poller = new LinkPoller(name + "-driver", interrupts, options.idle());
    this.wantedFeatures = VirtioRegisters.F_VERSION_1 | (options.eventIdx() ? VirtioRegisters.F_EVENT_IDX : 0);
    int inbound = 0;
    for (int q = 0; q < count; q++) {
      Direction dir = options.directions().get(q);
      String qname = name + "/q" + q + (dir == Direction.INBOUND ? "-rx" : "-tx");
      QueueGeometry geometry = QueueGeometry.legacy(bus + TransportMemoryLayout.ringOffset(q, n), n,
          TransportMemoryLayout.RING_ALIGN);
      geometries.add(geometry);
      SplitQueueDriver ring = SplitQueueDriver.create(qname, geometry, window, options.eventIdx());
      Doorbell toDevice = transport.deviceDoorbell(q);
      doorbells.add(toDevice);
      Doorbell gated = () -> {
        if (driverOk) {
          toDevice.ring();
        }
      };
      long off = TransportMemoryLayout.bufferOffset(count, n, options.bufferSize(), q);
      if (dir == Direction.INBOUND) {
        inbound |= 1 << q;
        DriverRxRing rx = new DriverRxRing(ring, gated, memory, off, bus + off, options.bufferSize());
        ringResets.add(rx::reset);
        queues.add(QueueHandle.inbound(q, n, rx, poller));
      } else {
        DriverTxRing tx = new DriverTxRing(ring, gated, memory, off, bus + off, options.bufferSize());
        ringResets.add(tx::reset);
        queues.add(QueueHandle.outbound(q, n, tx, poller));
      }
    }
    this.inboundMask = inbound;
    int livenessMs = (int) options.liveness().toMillis();
    this.liveness = livenessMs == 0 ? null
        : new Liveness(Liveness.registerBeats(regs, VirtioRegisters.DRIVER_HEARTBEAT, VirtioRegisters.DEVICE_HEARTBEAT),
            livenessMs * 1_000_000L, livenessListener(livenessMs));
    if (liveness != null) {
      liveness.beatNow();
      poller.register(liveness);
    }
    poller.register(negotiation);
    poller.start();
  }

  /**
   * Starts a link on {@code transport}: the poller starts at once and the link comes UP when a
   * device has published its registers and accepted the configuration. The link owns the
   * transport from now on and closes it.
   *
   * @throws IllegalArgumentException when the transport's registers or memory are too small for
   *     {@code options}
   */
  public static VirtioTransportLink create(DriverTransport transport, ShmLinkOptions options) {
    return create(transport, options, DEFAULT_NEGOTIATION_TIMEOUT);
  }

  /** Like {@link #create(DriverTransport, ShmLinkOptions)} with the bound on each negotiation step. */
  public static VirtioTransportLink create(DriverTransport transport, ShmLinkOptions options,
      Duration negotiationTimeout) {
    try {
      return new VirtioTransportLink(transport, options, negotiationTimeout);
    } catch (RuntimeException e) {
      transport.close();
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

  public String name() {
    return name;
  }

  /** The features both sides agreed on in the last negotiation (0 before the first). */
  public long negotiatedFeatures() {
    return negotiation.accepted;
  }

  /** The link's state now. */
  public LinkState state() {
    return states.current();
  }

  /**
   * The link's states, the current one first: DOWN until a device is there, NEGOTIATING, UP,
   * NEEDS_RESET when the device refused or asked for a reset (the link then retries), DOWN when
   * the device goes away, FAILED when the link gave up or was closed.
   */
  public Flux<LinkState> states() {
    return states.flux();
  }

  /** The same changes with their reasons (the device's refusal, the silence that took it DOWN). */
  public Flux<LinkEvent> events() {
    return states.events();
  }

  /** The last reason the link reported, or null. */
  public @Nullable VirtioException lastProblem() {
    return states.lastProblem();
  }

  private Liveness.Listener livenessListener(int livenessMs) {
    return new Liveness.Listener() {
      @Override
      public void peerDown(long silentNanos) {
        LinkDownException why = new LinkDownException(name + ": device silent for " + silentNanos / 1_000_000
            + " ms (liveness bound " + livenessMs + " ms)");
        negotiation.lose(LinkState.DOWN, why);
      }

      @Override
      public void peerUp() {
        negotiation.nextLook = System.nanoTime();
      }
    };
  }

  /** Logging may block: never on the poller thread. */
  private static void offPoller(Runnable r) {
    Schedulers.boundedElastic().schedule(r);
  }

  /** The negotiation, a state machine on the poller thread (it never blocks: it looks and moves on). */
  private final class Negotiation implements PollerTask {

    private Phase phase = Phase.WAIT_DEVICE;
    private long nextLook;
    private long deadline;
    private long backoffUntil;
    private int session;
    private int status;
    private int deviceGeneration;
    private int refusals;
    private volatile long accepted;
    /**
     * The rings may hold a device's work (DRIVER_OK was written since the last reset): they are
     * re-initialised once the device has acknowledged the next reset, never while it may still
     * be using them.
     */
    private boolean ringsDirty;

    @Override
    public int doWork() {
      long now = System.nanoTime();
      if (now - nextLook < 0 || closed) {
        return 0;
      }
      nextLook = now + (phase == Phase.UP ? UP_CHECK_NANOS : STEP_NANOS);
      switch (phase) {
        case WAIT_DEVICE -> waitDevice(now);
        case RESET -> afterReset(now);
        case FEATURES -> afterFeatures(now);
        case DRIVER_OK -> afterDriverOk(now);
        case UP -> watch();
        case BACKOFF -> {
          if (now - backoffUntil >= 0) {
            phase = Phase.WAIT_DEVICE;
          }
        }
        case FAILED -> {
          // Given up on that device; a new device instance (a new generation) gets a fresh chance.
          if (regs.read(VirtioRegisters.DEVICE_GENERATION) != deviceGeneration && deviceThere()) {
            refusals = 0;
            phase = Phase.WAIT_DEVICE;
          }
        }
      }
      return 0; // control plane: never keeps the poller from parking
    }

    @Override
    public long wakeWithinNanos() {
      return switch (phase) {
        case UP, FAILED -> UP_CHECK_NANOS;
        case WAIT_DEVICE -> liveness != null ? UP_CHECK_NANOS : STEP_NANOS * 10;
        default -> STEP_NANOS;
      };
    }

    private boolean deviceThere() {
      return transport.hardwareLinkUp() && regs.read(VirtioRegisters.MAGIC) == VirtioRegisters.MAGIC_VALUE
          && (liveness == null || liveness.peerAlive());
    }

    private void waitDevice(long now) {
      if (!deviceThere()) {
        return;
      }
      deviceGeneration = regs.read(VirtioRegisters.DEVICE_GENERATION);
      session = regs.read(VirtioRegisters.SESSION) + 1;
      status = 0;
      driverOk = false;
      // Reset: status 0 first, then the session that names it (release): a device that sees the
      // new session sees the reset.
      regs.write(VirtioRegisters.DEVICE_STATUS, 0);
      regs.write(VirtioRegisters.SESSION, session);
      phase = Phase.RESET;
      deadline = now + timeoutNanos;
      states.set(LinkState.NEGOTIATING, null);
    }

    /** The device acknowledged the reset: check it is the device we want, offer our features. */
    private void afterReset(long now) {
      if (!acknowledged(now, 0)) {
        return;
      }
      if (ringsDirty) {
        // The device has let go of the rings (it acknowledged the reset): re-initialise them, and
        // fail what was queued on them since the link went down (virtio reset, driver side).
        LinkStates.failAll(queues, new LinkDownException(name + ": the rings were reset for a new negotiation"));
        for (int q = 0; q < queues.size(); q++) {
          queues.get(q).reset(ringResets.get(q));
        }
        ringsDirty = false;
      }
      String mismatch = checkDevice();
      if (mismatch != null) {
        fail(new ConfigViolationException(name, ConfigViolation.DEVICE_MISMATCH, mismatch, 0));
        return;
      }
      long offered = (regs.read(VirtioRegisters.DEVICE_FEATURE_LO) & 0xFFFF_FFFFL)
          | (long) regs.read(VirtioRegisters.DEVICE_FEATURE_HI) << 32;
      if ((offered & VirtioRegisters.F_VERSION_1) == 0) {
        fail(new ConfigViolationException(name, ConfigViolation.FEATURE_MISSING,
            "device_feature (VERSION_1 missing: a legacy device)", offered));
        return;
      }
      if (options.eventIdx() && (offered & VirtioRegisters.F_EVENT_IDX) == 0) {
        fail(new ConfigViolationException(name, ConfigViolation.FEATURE_MISSING,
            "device_feature (EVENT_IDX missing; create the link with eventIdx(false))", offered));
        return;
      }
      long accept = offered & wantedFeatures;
      accepted = accept;
      regs.write(VirtioRegisters.DRIVER_FEATURE_LO, (int) accept);
      regs.write(VirtioRegisters.DRIVER_FEATURE_HI, (int) (accept >>> 32));
      regs.write(VirtioRegisters.BUFFER_SIZE, options.bufferSize());
      writeStatus(STATUS_ACKNOWLEDGE);
      writeStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
      writeStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
      phase = Phase.FEATURES;
      deadline = now + timeoutNanos;
    }

    /** The device kept FEATURES_OK: program the queues and set DRIVER_OK. */
    private void afterFeatures(long now) {
      if (!acknowledged(now, status)) {
        return;
      }
      for (int q = 0; q < queues.size(); q++) {
        QueueGeometry g = geometries.get(q);
        regs.write(VirtioRegisters.queue(q, VirtioRegisters.QUEUE_SIZE), g.size());
        write64(VirtioRegisters.queue(q, VirtioRegisters.QUEUE_DESC_LO), g.descAddr());
        write64(VirtioRegisters.queue(q, VirtioRegisters.QUEUE_DRIVER_LO), g.availAddr());
        write64(VirtioRegisters.queue(q, VirtioRegisters.QUEUE_DEVICE_LO), g.usedAddr());
        regs.write(VirtioRegisters.queue(q, VirtioRegisters.QUEUE_ENABLE), 1);
      }
      ringsDirty = true; // from here on the device may take buffers from the rings
      writeStatus(status | STATUS_DRIVER_OK);
      phase = Phase.DRIVER_OK;
      deadline = now + timeoutNanos;
    }

    private void afterDriverOk(long now) {
      if (!acknowledged(now, status)) {
        return;
      }
      phase = Phase.UP;
      refusals = 0;
      driverOk = true;
      // Buffers posted before DRIVER_OK went un-notified: tell the device once.
      for (Doorbell d : doorbells) {
        d.ring();
      }
      states.set(LinkState.UP, null);
      offPoller(() -> log.info("{}: up (features 0x{}, session {})", name, Long.toHexString(accepted), session));
    }

    /** UP: notice a device that restarted, refuses, or asks for a reset. */
    private void watch() {
      if (!transport.hardwareLinkUp()) {
        lose(LinkState.DOWN, new LinkDownException(name + ": the hardware link went down"));
      } else if (regs.read(VirtioRegisters.MAGIC) != VirtioRegisters.MAGIC_VALUE
          || regs.read(VirtioRegisters.DEVICE_GENERATION) != deviceGeneration
          || regs.read(VirtioRegisters.ACK_SESSION) != session) {
        lose(LinkState.NEGOTIATING, new LinkDownException(name + ": the device restarted (generation "
            + deviceGeneration + " -> " + regs.read(VirtioRegisters.DEVICE_GENERATION) + ")"));
      } else if ((regs.read(VirtioRegisters.STATUS_ACK) & STATUS_DEVICE_NEEDS_RESET) != 0) {
        lose(LinkState.NEEDS_RESET, deviceError());
      }
    }

    /**
     * Whether the device has processed {@code expected} for this session. A refusal (NEEDS_RESET)
     * or a step not acknowledged within the bound counts against {@link #MAX_REFUSALS}.
     */
    private boolean acknowledged(long now, int expected) {
      if (regs.read(VirtioRegisters.DEVICE_GENERATION) != deviceGeneration
          || regs.read(VirtioRegisters.MAGIC) != VirtioRegisters.MAGIC_VALUE) {
        phase = Phase.WAIT_DEVICE; // another device instance: start again with it
        return false;
      }
      int ackSession = regs.read(VirtioRegisters.ACK_SESSION);
      int ack = regs.read(VirtioRegisters.STATUS_ACK);
      if (ackSession == session && (ack & STATUS_DEVICE_NEEDS_RESET) != 0) {
        refused(deviceError());
        return false;
      }
      if (ackSession == session && ack == expected) {
        return true;
      }
      if (now - deadline > 0) {
        refused(new LinkDownException(name + ": the device did not acknowledge device_status 0x"
            + Integer.toHexString(expected) + " within " + Duration.ofNanos(timeoutNanos) + " (it shows 0x"
            + Integer.toHexString(ack) + " for session " + ackSession + ", expected session " + session + ")"));
      }
      return false;
    }

    private void refused(VirtioException why) {
      refusals++;
      driverOk = false;
      if (refusals >= MAX_REFUSALS) {
        fail(why);
        return;
      }
      phase = Phase.BACKOFF;
      backoffUntil = System.nanoTime() + 100_000_000L * refusals;
      states.set(LinkState.NEEDS_RESET, why);
      offPoller(() -> log.warn("{}: negotiation refused ({} of {}), retrying: {}", name, refusals, MAX_REFUSALS,
          why.getMessage()));
    }

    private void fail(VirtioException why) {
      phase = Phase.FAILED;
      driverOk = false;
      states.set(LinkState.FAILED, why);
      offPoller(() -> log.error("{}: link failed: {}", name, why.getMessage()));
    }

    /**
     * The device went away or asked for a reset: fail what is in flight and negotiate again. The
     * rings are re-initialised only once a device has acknowledged the reset (it may still be
     * using them: a slow device is not a dead one). Poller thread.
     */
    void lose(LinkState next, VirtioException why) {
      if (phase == Phase.FAILED) {
        return;
      }
      driverOk = false;
      regs.write(VirtioRegisters.DEVICE_STATUS, 0);
      LinkDownException down = why instanceof LinkDownException l ? l
          : new LinkDownException(name + ": the link needs a reset: " + why.getMessage());
      LinkStates.failAll(queues, down);
      ringsDirty = true;
      if (next == LinkState.NEEDS_RESET) {
        phase = Phase.BACKOFF; // a device that keeps asking for resets is not hammered
        backoffUntil = System.nanoTime() + 100_000_000L;
      } else {
        phase = Phase.WAIT_DEVICE;
      }
      nextLook = System.nanoTime();
      states.set(next, why);
      offPoller(() -> log.warn("{}", why.getMessage()));
    }

    /** The device's reason for NEEDS_RESET, from its ERROR registers. */
    private VirtioException deviceError() {
      int code = regs.read(VirtioRegisters.ERROR_CODE);
      int queue = regs.read(VirtioRegisters.ERROR_QUEUE);
      int value = regs.read(VirtioRegisters.ERROR_VALUE);
      ConfigViolation[] all = ConfigViolation.values();
      if (code == 0) {
        return new LinkDownException(name + ": the device asked for a reset (it stopped hearing this driver, or a "
            + "ring broke)");
      }
      if (code < 1 || code > all.length) {
        return new LinkDownException(name + ": the device set DEVICE_NEEDS_RESET (error code " + code + ")");
      }
      return new ConfigViolationException(name, all[code - 1],
          "device refused" + (queue >= 0 ? " queue " + queue : ""), value);
    }

    /** Null when the device is the one this driver was made for, else what differs. */
    private @Nullable String checkDevice() {
      int version = regs.read(VirtioRegisters.VERSION);
      if (version != VirtioRegisters.VERSION_VALUE) {
        return "register block version " + version + " (this driver speaks " + VirtioRegisters.VERSION_VALUE + ")";
      }
      int id = regs.read(VirtioRegisters.DEVICE_ID);
      if (id != options.deviceId()) {
        return "device id " + id + " (this link carries " + options.deviceId() + ")";
      }
      int numQueues = regs.read(VirtioRegisters.NUM_QUEUES);
      if ((numQueues & 0xFFFF) != queues.size() || numQueues >>> 16 != inboundMask) {
        return "num_queues 0x" + Integer.toHexString(numQueues) + " (this link has " + queues.size()
            + " queues, device-to-driver mask 0x" + Integer.toHexString(inboundMask) + ")";
      }
      for (int q = 0; q < queues.size(); q++) {
        int max = regs.read(VirtioRegisters.queue(q, VirtioRegisters.QUEUE_MAX_SIZE));
        if (max < options.queueSize()) {
          return "queue " + q + " max size " + max + " (this link uses " + options.queueSize() + ")";
        }
      }
      return null;
    }

    private void writeStatus(int next) {
      status = next;
      regs.write(VirtioRegisters.DEVICE_STATUS, next);
    }

    private void write64(int lo, long value) {
      regs.write(lo, (int) value);
      regs.write(lo + 1, (int) (value >>> 32));
    }
  }

  /** Stops the poller, resets the device (status 0) and closes the transport. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    LinkShutdown.stopPolling(poller, false, liveness, queues, interrupts);
    regs.write(VirtioRegisters.DEVICE_STATUS, 0);
    LinkShutdown.warnLeakedLeases(this, queues);
    states.close();
    transport.close();
  }

  @Override
  public String toString() {
    return "VirtioTransportLink[" + name + ", " + queues.size() + " queues, " + states.current() + "]";
  }
}
