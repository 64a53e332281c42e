package io.reactorvirtio.spring.internal;

import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.rpmsg.RpmsgOptions;
import io.reactorvirtio.rpmsg.virtio.RpmsgVirtio;
import io.reactorvirtio.spring.RpmsgProperties;
import io.reactorvirtio.spring.RpmsgProperties.Link;
import io.reactorvirtio.transport.epf.sim.EpfSimOptions;
import io.reactorvirtio.transport.epf.sim.SimulatedEpf;
import io.reactorvirtio.transport.ntb.sim.NtbSimOptions;
import io.reactorvirtio.transport.ntb.sim.SimulatedNtb;
import io.reactorvirtio.vhost.link.VhostShmLink;
import io.reactorvirtio.vhost.transport.VhostTransportLink;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.LinkState;
import io.reactorvirtio.virtio.VirtioException;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.link.VirtioShmLink;
import io.reactorvirtio.virtio.transport.TransportMemoryLayout;
import io.reactorvirtio.virtio.transport.VirtioTransportLink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * One configured link and its rpmsg bus, opened at start and closed at stop. The driver role
 * creates the shared file at once (a failure stops the application: it is a configuration error);
 * the device role waits for the peer's file, retrying every {@link #RETRY} (the peer may start
 * later), and reports why it is still waiting.
 */
public final class ManagedLink implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ManagedLink.class);

  /** How often a device-role link looks for its driver's file. */
  public static final Duration RETRY = Duration.ofMillis(200);

  private final String name;
  private final Link settings;
  private final Path path;
  private final Sinks.One<RpmsgBus> busSink = Sinks.one();
  private final Mono<RpmsgBus> bus = busSink.asMono();
  private volatile @Nullable AutoCloseable link;
  private volatile Supplier<LinkState> state = () -> LinkState.DOWN;
  private volatile Flux<LinkState> states = Flux.just(LinkState.DOWN);
  private volatile Supplier<@Nullable VirtioException> problem = () -> null;
  private volatile @Nullable RpmsgBus openBus;
  private volatile @Nullable String waitingFor;
  private volatile @Nullable Disposable opener;
  private volatile @Nullable Disposable busWait;
  private volatile boolean closed;

  public ManagedLink(String name, Link settings) {
    this.name = name;
    this.settings = settings;
    String p = settings.getPath();
    this.path = Path.of(p != null && !p.isBlank() ? p : "/dev/shm/rpmsg-" + name);
  }

  public String name() {
    return name;
  }

  public Link settings() {
    return settings;
  }

  public Path path() {
    return path;
  }

  /** The bus, once the link is open (the device role: once the driver has set DRIVER_OK). */
  public Mono<RpmsgBus> bus() {
    return bus;
  }

  public @Nullable RpmsgBus busNow() {
    return openBus;
  }

  public LinkState state() {
    return state.get();
  }

  public Flux<LinkState> states() {
    return states;
  }

  public @Nullable VirtioException lastProblem() {
    return problem.get();
  }

  /** Why a device-role link is not open yet (the peer's file is missing...), or null. */
  public @Nullable String waitingFor() {
    return waitingFor;
  }

  /** Opens the link: at once in the driver role, in the background (retrying) in the device role. */
  public void open() {
    if (settings.getRole() == RpmsgProperties.Role.DRIVER) {
      openDriver();
      return;
    }
    opener = Mono.fromRunnable(this::openDevice)
        .subscribeOn(Schedulers.boundedElastic())
        .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, RETRY).filter(e -> !closed).doBeforeRetry(s -> {
          String why = String.valueOf(s.failure().getMessage());
          if (!why.equals(waitingFor)) { // on a timer thread, which must not block: log elsewhere
            Schedulers.boundedElastic().schedule(
                () -> log.info("rpmsg link '{}' (device, {}): waiting for the driver: {}", name, path, why));
          }
          waitingFor = why;
        }))
        .subscribe(null, e -> log.error("rpmsg link '{}': gave up opening", name, e));
  }

  ShmLinkOptions shape() {
    IdlePolicy idle = switch (settings.getIdle()) {
      case BUSY_POLL -> IdlePolicy.busyPoll();
      case SPIN_THEN_PARK -> IdlePolicy.spinThenPark(settings.getSpin());
      case PARK_ONLY -> IdlePolicy.parkOnly();
    };
    return ShmLinkOptions.defaults().withQueueSize(settings.getQueueSize()).withBufferSize(settings.getBufferSize())
        .withEventIdx(settings.isEventIdx()).withIdle(idle).withLiveness(settings.getLiveness());
  }

  RpmsgOptions rpmsgOptions() {
    return RpmsgOptions.defaults().withName(name).withSendTimeout(settings.getSendTimeout());
  }

  /** Driver memory for the simulated transports: the link's rings and buffers, page-rounded, at least 64 KiB. */
  long memorySize(ShmLinkOptions shape) {
    long need = TransportMemoryLayout.requiredBytes(shape.directions().size(), shape.queueSize(), shape.bufferSize());
    return Math.max(0x10000, (need + 4095) / 4096 * 4096);
  }

  private void openDriver() {
    ShmLinkOptions shape = shape();
    switch (settings.getTransport()) {
      case SHM -> {
        VirtioShmLink l = VirtioShmLink.create(path, shape);
        attach(l, l::state, l.states(), () -> null, RpmsgVirtio.driver(l, rpmsgOptions()));
      }
      case EPF -> driverOnTransport(VirtioTransportLink.create(
          SimulatedEpf.rootComplex(path, EpfSimOptions.defaults().withMemorySize(memorySize(shape))), shape));
      case NTB -> driverOnTransport(VirtioTransportLink.create(
          SimulatedNtb.host1(path, NtbSimOptions.defaults().withMwSize(memorySize(shape))), shape));
    }
  }

  private void driverOnTransport(VirtioTransportLink l) {
    attach(l, l::state, l.states(), l::lastProblem, RpmsgVirtio.driver(l, rpmsgOptions()));
  }

  private void openDevice() {
    if (closed) {
      return;
    }
    ShmLinkOptions shape = shape();
    switch (settings.getTransport()) {
      case SHM -> {
        VhostShmLink l = VhostShmLink.open(path, shape.idle(), Duration.ofSeconds(2));
        attach(l, l::state, l.states(), () -> null, RpmsgVirtio.device(l, rpmsgOptions()));
      }
      case EPF -> deviceOnTransport(VhostTransportLink.create(SimulatedEpf.endpoint(path), shape));
      case NTB -> deviceOnTransport(VhostTransportLink.create(SimulatedNtb.host2(path), shape));
    }
    waitingFor = null;
  }

  private void deviceOnTransport(VhostTransportLink l) {
    if (!adopt(l)) {
      return;
    }
    state = l::state;
    states = l.states();
    problem = l::lastProblem;
    // The bus is handed out on the link's poller thread: publish (and log, and let endpoint
    // bindings start) off it.
    busWait = RpmsgVirtio.device(l, rpmsgOptions()).publishOn(Schedulers.boundedElastic())
        .subscribe(this::publish, e -> { }); // an error here means the link closed before DRIVER_OK
  }

  private void attach(AutoCloseable l, Supplier<LinkState> st, Flux<LinkState> sts,
      Supplier<@Nullable VirtioException> pr, RpmsgBus b) {
    if (!adopt(l)) {
      b.close();
      return;
    }
    state = st;
    states = sts;
    problem = pr;
    publish(b);
  }

  /** Keeps {@code l} as this link's, unless close() came first (then closes it): open and close may race. */
  private boolean adopt(AutoCloseable l) {
    synchronized (this) {
      if (!closed) {
        link = l;
        return true;
      }
    }
    try {
      l.close();
    } catch (Exception e) {
      log.warn("rpmsg link '{}': close failed", name, e);
    }
    return false;
  }

  private void publish(RpmsgBus b) {
    synchronized (this) {
      if (!closed) {
        openBus = b;
        b = null;
      }
    }
    if (b != null) {
      b.close(); // closed meanwhile
      return;
    }
    busSink.tryEmitValue(openBus);
    log.info("rpmsg link '{}' ({} {}, {}): bus ready", name, settings.getTransport(), settings.getRole(), path);
  }

  @Override
  public void close() {
    RpmsgBus b;
    AutoCloseable l;
    synchronized (this) {
      closed = true;
      b = openBus;
      l = link;
    }
    Disposable o = opener;
    if (o != null) {
      o.dispose();
    }
    Disposable w = busWait;
    if (w != null) {
      w.dispose();
    }
    if (b != null) {
      b.close();
    }
    if (l != null) {
      try {
        l.close();
      } catch (Exception e) {
        log.warn("rpmsg link '{}': close failed", name, e);
      }
    }
    busSink.tryEmitError(new IllegalStateException("rpmsg link '" + name + "' closed"));
  }

  @Override
  public String toString() {
    return "ManagedLink[" + name + ", " + settings.getTransport() + " " + settings.getRole() + ", " + path + "]";
  }
}
