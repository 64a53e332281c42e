package io.reactorvirtio.samples;

import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.Virtqueue;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The README's demo: two processes talk over virtio rings in a shared {@code /dev/shm} file. By
 * default the file is a simulated PCIe root complex / endpoint function pair ({@code epf}): this
 * process is the RC (virtio driver), {@link EchoDevice} in a second JVM is the EP (vhost device);
 * they negotiate through the EP's register BAR, then this side measures sequential round trips and
 * streams messages both ways, checking every sequence number and payload byte.
 *
 * <p>Usage: {@code PingPongDemo [round trips] [streamed messages] [payload bytes] [epf|ntb|shm]}
 */
public final class PingPongDemo {

  private PingPongDemo() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 1) {
      args = args[0].isBlank() ? new String[0] : args[0].trim().split("\\s+"); // -Ddemo.args="N M B epf"
    }
    int pings = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int streamed = args.length > 1 ? Integer.parseInt(args[1]) : 500_000;
    int payload = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    String transport = args.length > 3 ? args[3] : "epf";
    Path file = Path.of("/dev/shm", "reactor-virtio-demo-" + ProcessHandle.current().pid());
    ShmLinkOptions options = ShmLinkOptions.defaults().withIdle(IdlePolicy.defaults());
    System.out.printf("driver: %s, creating %s (%d queues x %d descriptors x %d-byte buffers)%n",
        DemoTransports.describe(transport), file, options.directions().size(), options.queueSize(),
        options.bufferSize());
    Process device = null;
    try (DemoTransports.DriverSide link = DemoTransports.driver(transport, file, options)) {
      device = startDevice(file, pings + streamed, transport);
      link.awaitUp(Duration.ofSeconds(20));
      System.out.println("driver: link " + link.state() + " after negotiation");
      roundTrips(link.queue(0), link.queue(1), pings, payload);
      stream(link.queue(0), link.queue(1), streamed, payload);
      if (!device.waitFor(30, TimeUnit.SECONDS) || device.exitValue() != 0) {
        throw new IllegalStateException("device process did not finish cleanly");
      }
      System.out.println("driver: done; the shared file is removed on close");
    } finally {
      if (device != null && device.isAlive()) {
        device.destroyForcibly();
      }
    }
  }

  private static Process startDevice(Path file, long total, String transport) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(EchoDevice.class.getName());
    cmd.add(file.toString());
    cmd.add(Long.toString(total));
    cmd.add(transport);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    CountDownLatch attached = new CountDownLatch(1);
    Thread.ofPlatform().daemon().start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (!line.startsWith("WARNING")) {
            System.out.println("  [device pid " + p.pid() + "] " + line);
          }
          if (line.contains("attached")) {
            attached.countDown();
          }
        }
      } catch (Exception ignored) {
        // the device exited
      }
    });
    if (!attached.await(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("device process did not attach within 20 s");
    }
    return p;
  }

  private static MemorySegment message(long seq, int payload) {
    MemorySegment m = MemorySegment.ofArray(new byte[payload]);
    m.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, seq);
    for (int i = 8; i < payload; i++) {
      m.set(ValueLayout.JAVA_BYTE, i, (byte) (seq + i));
    }
    return m;
  }

  private static void verify(BufferLease lease, long seq, int payload) {
    MemorySegment d = lease.data();
    if (d.byteSize() != payload || d.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) != seq) {
      throw new IllegalStateException("echo " + seq + " came back wrong: " + lease);
    }
    for (int i = 8; i < payload; i++) {
      if (d.get(ValueLayout.JAVA_BYTE, i) != (byte) (seq + i)) {
        throw new IllegalStateException("echo " + seq + ": byte " + i + " differs");
      }
    }
  }

  /** One message in flight at a time: send, wait for the echo, repeat. */
  private static void roundTrips(Virtqueue rxq, Virtqueue txq, int pings, int payload) throws Exception {
    long[] rtt = new long[pings];
    Sinks.Many<MemorySegment> out = Sinks.many().unicast().onBackpressureBuffer();
    AtomicLong sentAt = new AtomicLong();
    CountDownLatch done = new CountDownLatch(1);
    var rx = rxq.receive().take(pings).index().subscribe(t -> {
      long seq = t.getT1();
      rtt[(int) seq] = System.nanoTime() - sentAt.get();
      verify(t.getT2(), seq, payload);
      t.getT2().release();
      if (seq + 1 < pings) {
        sentAt.set(System.nanoTime());
        out.tryEmitNext(message(seq + 1, payload));
      } else {
        out.tryEmitComplete();
      }
    }, e -> {
      e.printStackTrace();
      done.countDown();
    }, done::countDown);
    txq.send(out.asFlux()).subscribe();
    sentAt.set(System.nanoTime());
    out.tryEmitNext(message(0, payload));
    if (!done.await(2, TimeUnit.MINUTES)) {
      rx.dispose();
      throw new IllegalStateException("round trips did not finish");
    }
    // The first tenth warms up both JVMs (class loading, JIT) and is left out of the figures.
    long[] measured = Arrays.copyOfRange(rtt, pings / 10, pings);
    Arrays.sort(measured);
    int m = measured.length;
    System.out.printf("driver: %,d round trips of %d B (after %,d warm-up): p50 %.1f us, p99 %.1f us, max %.1f us%n",
        m, payload, pings / 10, measured[m / 2] / 1e3, measured[(int) (m * 0.99)] / 1e3, measured[m - 1] / 1e3);
  }

  /** Many messages in flight: throughput, with backpressure from ring credit. */
  private static void stream(Virtqueue rxq, Virtqueue txq, int count, int payload) {
    MemorySegment template = message(0, payload);
    long start = System.nanoTime();
    AtomicLong next = new AtomicLong();
    var received = rxq.receive().take(count).doOnNext(lease -> {
      long seq = next.getAndIncrement();
      if (lease.data().get(ValueLayout.JAVA_LONG_UNALIGNED, 0) != seq || lease.length() != payload) {
        throw new IllegalStateException("stream: expected " + seq + ", got " + lease);
      }
      lease.release();
    }).count();
    var sent = txq.send(Flux.range(0, count), (Integer seq, MemorySegment buf) -> {
      MemorySegment.copy(template, 0, buf, 0, payload);
      buf.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, seq);
      return payload;
    });
    long n = received.zipWith(sent.then(reactor.core.publisher.Mono.just(0L))).map(t -> t.getT1())
        .block(Duration.ofMinutes(5));
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf("driver: streamed %,d messages of %d B there and back in %.2f s: %,.0f echoes/s, in order%n",
        n, payload, secs, n / secs);
  }
}
