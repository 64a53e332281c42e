package io.reactorvirtio.benchmarks;

import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.rpmsg.RpmsgMessage;
import io.reactorvirtio.spring.RpmsgEndpoint;
import io.reactorvirtio.spring.RpmsgLinks;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/**
 * Our rpmsg through the Spring Boot starter's {@code @RpmsgEndpoint}. The parent is exactly the
 * {@code rpmsg} figures' driver ({@link RpmsgPath#driver}: a driver-role bus on a
 * {@code VirtioShmLink}, channel {@code bench} through the Flux API). The peer starts a Spring Boot
 * application (no web server, auto-configuration on, nothing but {@link Handler} as a bean of its
 * own) whose link {@code bench} is the device side of the same file
 * ({@code rpmsg.links.bench.transport=shm}, {@code role=device}, the figure's queue and buffer
 * size and idle policy). Every message goes to {@link Handler#onMessage} on the link's poller
 * thread ({@code blocking = false}), which checks it as the rpmsg device does ({@link
 * RpmsgPath.Tally}) and, for a round trip, returns its payload: the starter copies it into a ring
 * buffer, sends it back to the message's source and releases the lease. One application per
 * figure, closed before the peer reports.
 */
final class SpringPath {

  static final String LINK = "bench";

  static {
    // The peer logs through slf4j-simple: keep Spring's and the starter's INFO lines out of the run's stderr.
    System.setProperty("org.slf4j.simpleLogger.log.org.springframework", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.io.reactorvirtio.spring", "warn");
  }

  private SpringPath() {}

  /** The application: auto-configuration (the starter's {@code RpmsgAutoConfiguration}), no component scan. */
  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {}

  /** The {@code @RpmsgEndpoint} bean: per message what {@link RpmsgPath.DeviceSink} does. */
  static final class Handler {
    final RpmsgPath.Tally tally;
    final boolean echo;
    final CountDownLatch finished = new CountDownLatch(1);
    volatile @Nullable Throwable failure;
    boolean done;

    Handler(RpmsgPath.Tally tally, boolean echo) {
      this.tally = tally;
      this.echo = echo;
    }

    /**
     * Runs on the link's poller thread; {@code m} is a lease the starter releases after the call
     * (after copying the returned payload, when there is one). Returns the payload to echo it,
     * null to send nothing (one-way, END, a bad message). Must not throw: the starter would log
     * and go on, so a bad message is recorded and fails the figure from {@link #device}.
     */
    @RpmsgEndpoint(link = LINK, name = RpmsgPath.NAME, blocking = false)
    @Nullable MemorySegment onMessage(RpmsgMessage m) {
      if (done) {
        return null;
      }
      MemorySegment data = m.data();
      int type = tally.accept(data, m.length());
      if (type < 0) {
        fail(new BenchFailure(tally.describe(type, data, m.length())));
        return null;
      }
      if (type == Msg.END) {
        done = true;
        finished.countDown();
        return null;
      }
      return echo ? data : null;
    }

    void fail(Throwable t) {
      if (failure == null) {
        failure = t;
      }
      done = true;
      finished.countDown();
    }
  }

  /** The device side of one figure (peer): starts the application, serves the figure, closes it. */
  static String device(Figure f, Path file, int queueSize, int bufferSize) throws InterruptedException {
    Handler h = new Handler(new RpmsgPath.Tally(f.payload(), null), f.rtt());
    try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(App.class)
        .web(WebApplicationType.NONE)
        .bannerMode(Banner.Mode.OFF)
        .logStartupInfo(false)
        .properties(properties(f, file, queueSize, bufferSize))
        .initializers(c -> ((GenericApplicationContext) c).registerBean("benchHandler", Handler.class, () -> h))
        .run()) {
      RpmsgBus bus = ctx.getBean(RpmsgLinks.class).bus(LINK).block(RpmsgPath.TIMEOUT);
      if (bus == null) {
        throw new BenchFailure("spring device: link " + LINK + " did not open");
      }
      h.tally.threads = Alloc.selfAndPoller(file.getFileName().toString());
      Peer.ready();
      Stall stall = new Stall("spring device (@RpmsgEndpoint)", null);
      while (!h.finished.await(100, TimeUnit.MILLISECONDS)) {
        stall.check(System.nanoTime(), h.tally.expected);
      }
      Throwable failure = h.failure;
      if (failure != null) {
        throw new BenchFailure("spring device (@RpmsgEndpoint): " + failure.getMessage(), failure);
      }
      // RpmsgLinks does not expose the link's park count: reported as unknown (-1).
      return h.tally.done(-1);
    }
  }

  /** {@code rpmsg.links.bench.*} for the figure, and a quiet Spring. */
  static Map<String, Object> properties(Figure f, Path file, int queueSize, int bufferSize) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("spring.main.banner-mode", "off");
    p.put("logging.level.root", "warn");
    String k = "rpmsg.links." + LINK + ".";
    p.put(k + "transport", "shm");
    p.put(k + "role", "device");
    p.put(k + "path", file.toString());
    p.put(k + "queue-size", Integer.toString(queueSize));
    p.put(k + "buffer-size", Integer.toString(bufferSize));
    String mode = f.mode();
    f.idlePolicy(); // validates the name
    if (mode.equals("busyPoll")) {
      p.put(k + "idle", "busy-poll");
    } else if (mode.equals("parkOnly")) {
      p.put(k + "idle", "park-only");
    } else {
      p.put(k + "idle", "spin-then-park");
      p.put(k + "spin", mode.substring(4, mode.length() - 2) + "us");
    }
    return p;
  }
}
