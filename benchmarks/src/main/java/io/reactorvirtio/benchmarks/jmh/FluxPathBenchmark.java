package io.reactorvirtio.benchmarks.jmh;

import io.reactorvirtio.benchmarks.Msg;
import io.reactorvirtio.benchmarks.Pump;
import io.reactorvirtio.vhost.link.VhostShmLink;
import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.BufferWriter;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.link.VirtioShmLink;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

/**
 * The Flux API in one process: a {@link VirtioShmLink} and a {@link VhostShmLink} on the same
 * {@code /dev/shm} file, each with its poller thread. Messages go through one long-lived
 * {@code send(Publisher, BufferWriter)} fed by an allocation-free {@link Pump}, and arrive as
 * {@code receive()} leases (checked and released on the poller threads). Run with {@code -prof gc}:
 * {@code gc.alloc.rate.norm} counts the bytes allocated by <em>all</em> threads (JMH uses the
 * JVM-wide total), i.e. the benchmark thread and both pollers, per message.
 *
 * <ul>
 *   <li>{@code oneWay}: 256 messages driver to device per invocation (reported per message);
 *   <li>{@code roundTrip}: 256 sequential round trips per invocation (reported per round trip):
 *       a message driver to device, echoed device to driver through a second {@code send} on
 *       queue 0; the driver's {@code receive()} subscriber sends the next ping from its poller
 *       thread, as an application would.
 * </ul>
 *
 * <p>The benchmark thread parks while a burst runs (the poller that finishes it unparks it), so
 * on a 2-core machine only the two pollers compete for the cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m"})
public class FluxPathBenchmark {

  static final int BATCH = 256;
  static final Object ONE_WAY = new Object();
  static final Object ECHO = new Object();

  @Param({"64"})
  public int payload;

  /** Idle policy of both links: busyPoll, parkOnly or spinNNus. */
  @Param({"spin50us"})
  public String idle;

  private Path file;
  private VirtioShmLink driver;
  private VhostShmLink device;
  private final Pump<Object> pings = new Pump<>(1024);
  private final Pump<BufferLease> echoes = new Pump<>(1024);
  private DeviceSide deviceSide;
  private DriverSide driverSide;

  static IdlePolicy policy(String name) {
    return switch (name) {
      case "busyPoll" -> IdlePolicy.busyPoll();
      case "parkOnly" -> IdlePolicy.parkOnly();
      default -> IdlePolicy.spinThenPark(Duration.ofNanos(1000L * Long.parseLong(name.replaceAll("[^0-9]", ""))));
    };
  }

  @Setup(Level.Trial)
  public void setup() {
    file = Path.of("/dev/shm", "rvbench-jmhflux-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    IdlePolicy p = policy(idle);
    driver = VirtioShmLink.create(file, ShmLinkOptions.defaults().withIdle(p));
    device = VhostShmLink.open(file, p, Duration.ofSeconds(5));
    deviceSide = new DeviceSide(payload, echoes);
    driverSide = new DriverSide(payload);
    device.queue(0).send(echoes, (BufferLease lease, MemorySegment buf) -> {
      int n = lease.length();
      lease.copyTo(buf, 0);
      lease.release();
      return n;
    }).subscribe(null, Throwable::printStackTrace);
    device.queue(1).receive().subscribe(deviceSide);
    driver.queue(0).receive().subscribe(driverSide);
    driver.queue(1).send(pings, driverSide).subscribe(null, Throwable::printStackTrace);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (deviceSide.failure != null || driverSide.failure != null) {
      throw new IllegalStateException("flux benchmark saw a bad message: " + deviceSide.failure + " / "
          + driverSide.failure);
    }
    device.close();
    driver.close();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long oneWay() {
    deviceSide.arm(deviceSide.received + BATCH, Thread.currentThread());
    for (int i = 0; i < BATCH; i++) {
      while (!pings.offer(ONE_WAY)) {
        Thread.onSpinWait();
      }
    }
    awaitBurst(deviceSide);
    return deviceSide.received;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long roundTrip() {
    driverSide.arm(driverSide.received + BATCH, Thread.currentThread());
    if (!pings.offer(ECHO)) {
      throw new IllegalStateException("ping pump full");
    }
    awaitBurst(driverSide);
    return driverSide.received;
  }

  /** Parks until the side's burst target is reached (it unparks us), failing after 10 s. */
  private static void awaitBurst(Burst b) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!b.reached()) {
      LockSupport.parkNanos(b, 100_000_000L);
      if (b.failure() != null) {
        throw new IllegalStateException(b.failure());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("burst stuck: " + b);
      }
    }
  }

  /** A counter that unparks the benchmark thread when it reaches the armed target. */
  abstract static class Burst {
    volatile long received;
    volatile long target = Long.MAX_VALUE;
    volatile Thread waiter;
    volatile String failure;

    void arm(long target, Thread waiter) {
      this.waiter = waiter;
      this.target = target;
    }

    boolean reached() {
      return received >= target;
    }

    String failure() {
      return failure;
    }

    /** Counts one message; returns true when that reached the target (and unparks the waiter). */
    boolean count() {
      long n = received + 1;
      received = n;
      if (n >= target) {
        LockSupport.unpark(waiter);
        return true;
      }
      return false;
    }

    @Override
    public String toString() {
      return getClass().getSimpleName() + " at " + received + " of " + target + (failure != null ? ": " + failure : "");
    }
  }

  /** Driver: writes pings (type tells the device whether to echo); receives echoes and sends the next ping. */
  final class DriverSide extends Burst implements CoreSubscriber<BufferLease>, BufferWriter<Object> {
    final int len;
    long seq;

    DriverSide(int len) {
      this.len = len;
    }

    @Override
    public int write(Object item, MemorySegment buffer) {
      Msg.write(buffer, 0, len, seq++, item == ECHO ? Msg.MEASURE : Msg.WARMUP);
      return len;
    }

    @Override
    public void onSubscribe(Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(BufferLease lease) {
      if (lease.length() != len || Msg.type(lease.data(), 0) != Msg.MEASURE) {
        failure = "bad echo";
      }
      lease.release();
      if (!count()) {
        if (!pings.offer(ECHO)) {
          failure = "ping pump full";
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      failure = String.valueOf(t);
    }

    @Override
    public void onComplete() {}
  }

  /** Device: checks every message's sequence and content; echoes the round-trip ones. */
  static final class DeviceSide extends Burst implements CoreSubscriber<BufferLease> {
    final int len;
    final Pump<BufferLease> echoes;
    long expected;

    DeviceSide(int len, Pump<BufferLease> echoes) {
      this.len = len;
      this.echoes = echoes;
    }

    @Override
    public void onSubscribe(Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(BufferLease lease) {
      MemorySegment d = lease.data();
      int code = Msg.check(d, 0, lease.length(), len, expected);
      if (code != Msg.OK) {
        failure = Msg.describe(code, d, 0, lease.length(), len, expected);
      }
      expected++;
      if (Msg.type(d, 0) == Msg.MEASURE) {
        if (!echoes.offer(lease)) {
          failure = "echo pump full";
          lease.release();
        }
      } else {
        lease.release();
        count();
      }
    }

    @Override
    public void onError(Throwable t) {
      failure = String.valueOf(t);
    }

    @Override
    public void onComplete() {}
  }
}
