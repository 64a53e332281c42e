package io.reactorvirtio.benchmarks;

import io.reactorvirtio.vhost.link.VhostShmLink;
import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.BufferWriter;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.link.VirtioShmLink;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;

/**
 * The Flux-API figures: {@link VirtioShmLink} in the parent, {@link VhostShmLink} in the peer,
 * messages through {@code Virtqueue.send(Publisher, BufferWriter)} (zero-copy encode) and
 * {@code receive()} leases. Both sides run their hot loops on the links' poller threads, as an
 * application would: no thread hop per message.
 */
final class FluxPath {

  private static final Object DATA = new Object();
  private static final Object END = new Object();

  private FluxPath() {}

  static ShmLinkOptions options(IdlePolicy idle, int queueSize, int bufferSize) {
    return ShmLinkOptions.defaults().withQueueSize(queueSize).withBufferSize(bufferSize).withIdle(idle);
  }

  // =============================================================================================
  // Driver side (parent).

  /** One-way: a {@code Flux.generate} of messages into one {@code send}, for a fixed time, then END. */
  static Result driverOneWay(VirtioShmLink link, Figure f, long warmupNanos, long measureNanos, PeerJvm peer) {
    OneWaySender s = new OneWaySender(f, warmupNanos, measureNanos,
        Alloc.selfAndPoller(link.path().getFileName().toString()));
    CompletableFuture<Void> done = link.queue(1).send(Flux.generate(s), s).toFuture();
    Stall stall = new Stall("flux one-way driver", peer);
    awaitWithStall(done, stall, () -> s.seq);
    if (!s.endSent) {
      throw new BenchFailure("flux one-way: the send completed before END was written");
    }
    Result r = new Result(f);
    r.interval(s.s1 - s.s0, s.t1 - s.t0);
    r.driverAllocPerMsg = (double) (s.a1 - s.a0) / Math.max(1, s.s1 - s.s0);
    r.driverParks = link.parks();
    r.sent = s.seq;
    return r;
  }

  /** Generator and writer of the one-way figure (both run on the sending thread, one after the other). */
  static final class OneWaySender implements Consumer<SynchronousSink<Object>>, BufferWriter<Object> {
    final int len;
    final long warmEnd;
    final long measureEnd;
    final long[] threads;
    volatile long seq;
    int type = Msg.WARMUP;
    boolean endSent;
    long t0;
    long s0;
    long a0;
    long t1;
    long s1;
    long a1;

    OneWaySender(Figure f, long warmupNanos, long measureNanos, long[] threads) {
      this.len = f.payload();
      long start = System.nanoTime();
      this.warmEnd = start + warmupNanos;
      this.measureEnd = warmEnd + measureNanos;
      this.threads = threads;
    }

    @Override
    public void accept(SynchronousSink<Object> sink) {
      if (endSent) {
        sink.complete();
        return;
      }
      long n = seq;
      if ((n & 31) == 0) {
        long now = System.nanoTime();
        if (type == Msg.WARMUP && now >= warmEnd) {
          type = Msg.MEASURE;
          t0 = now;
          s0 = n;
          Cpu.start();
          a0 = Alloc.bytes(threads);
        } else if (type == Msg.MEASURE && now >= measureEnd) {
          t1 = now;
          s1 = n;
          a1 = Alloc.bytes(threads);
          Cpu.end();
          endSent = true;
          sink.next(END);
          sink.complete();
          return;
        }
      }
      sink.next(DATA);
    }

    @Override
    public int write(Object item, MemorySegment buffer) {
      long n = seq;
      if (item == END) {
        Msg.write(buffer, 0, len, n, Msg.END);
      } else {
        Msg.write(buffer, 0, len, n, type);
        seq = n + 1;
      }
      return len;
    }
  }

  /**
   * Round trip, driven from the driver's poller thread: the receive subscriber of queue 0 checks
   * each echo, records its latency and sends the next ping through a {@link Pump} feeding one
   * long-lived {@code send} on queue 1.
   */
  static Result driverRoundTrip(VirtioShmLink link, Figure f, long warmupNanos, long measureNanos, PeerJvm peer) {
    RttDriver<BufferLease> d = new RttDriver<>(f, warmupNanos, measureNanos,
        Alloc.selfAndPoller(link.path().getFileName().toString()), LEASES);
    CompletableFuture<Void> sendDone = link.queue(1).send(d.pings, d).toFuture();
    link.queue(0).receive().subscribe(d);
    d.start();
    Stall stall = new Stall("flux round-trip driver", peer);
    awaitWithStall(d.finished, stall, () -> d.seq);
    if (d.failure != null) {
      throw new BenchFailure("flux round trip: " + d.failure.getMessage(), d.failure);
    }
    awaitWithStall(sendDone, stall, () -> d.seq);
    Result r = new Result(f);
    long count = d.s1 - d.s0;
    if (d.hist.getTotalCount() != count) {
      throw new BenchFailure("flux round trip: " + d.hist.getTotalCount() + " samples for " + count + " round trips");
    }
    r.interval(count, d.t1 - d.t0);
    r.latencies(d.hist);
    r.driverAllocPerMsg = (double) (d.a1 - d.a0) / Math.max(1, count);
    r.driverParks = link.parks();
    r.sent = d.seq;
    d.cancel();
    return r;
  }

  /** How the round-trip driver reads and gives back a received message of type {@code M}. */
  interface Received<M> {
    MemorySegment data(M message);

    int length(M message);

    void release(M message);
  }

  /** Virtqueue leases. */
  static final Received<BufferLease> LEASES = new Received<>() {
    @Override
    public MemorySegment data(BufferLease m) {
      return m.data();
    }

    @Override
    public int length(BufferLease m) {
      return m.length();
    }

    @Override
    public void release(BufferLease m) {
      m.release();
    }
  };

  /**
   * Round trip on the driver's poller thread: checks each echo, records it, sends the next ping.
   * Serves the virtqueue path and, with another {@link Received}, the rpmsg path.
   */
  static final class RttDriver<M> implements CoreSubscriber<M>, BufferWriter<Object> {
    final Received<M> received;
    final Pump<Object> pings = new Pump<>(8);
    final Histogram hist = new Histogram(60_000_000_000L, 3);
    final CompletableFuture<Void> finished = new CompletableFuture<>();
    final int len;
    final long warmupNanos;
    final long measureNanos;
    final long[] threads;
    volatile long seq;
    volatile @Nullable Throwable failure;
    volatile @Nullable Subscription subscription;
    int type = Msg.WARMUP;
    long warmEnd;
    long measureEnd;
    long sentAt;
    long t0;
    long s0;
    long a0;
    long t1;
    long s1;
    long a1;
    boolean done;

    RttDriver(Figure f, long warmupNanos, long measureNanos, long[] threads, Received<M> received) {
      this.received = received;
      this.threads = threads;
      this.len = f.payload();
      this.warmupNanos = warmupNanos;
      this.measureNanos = measureNanos;
    }

    void start() {
      long now = System.nanoTime();
      warmEnd = now + warmupNanos;
      measureEnd = warmEnd + measureNanos;
      sentAt = System.nanoTime();
      if (!pings.offer(DATA)) {
        fail(new BenchFailure("ping pump full"));
      }
    }

    @Override
    public int write(Object item, MemorySegment buffer) {
      Msg.write(buffer, 0, len, seq, item == END ? Msg.END : type);
      return len;
    }

    @Override
    public void onSubscribe(Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(M message) {
      long now = System.nanoTime();
      if (done) {
        received.release(message);
        fail(new BenchFailure("an echo arrived after END"));
        return;
      }
      long n = seq;
      MemorySegment data = received.data(message);
      int length = received.length(message);
      int code = Msg.check(data, 0, length, len, n);
      if (code != Msg.OK) {
        String why = Msg.describe(code, data, 0, length, len, n);
        received.release(message);
        fail(new BenchFailure("echo: " + why));
        return;
      }
      received.release(message);
      if (type == Msg.MEASURE) {
        hist.recordValue(Math.min(now - sentAt, hist.getHighestTrackableValue()));
      }
      n++;
      seq = n;
      if (type == Msg.WARMUP && now >= warmEnd) {
        type = Msg.MEASURE;
        t0 = now;
        s0 = n;
        Cpu.start();
        a0 = Alloc.bytes(threads);
      } else if (type == Msg.MEASURE && now >= measureEnd) {
        t1 = now;
        s1 = n;
        a1 = Alloc.bytes(threads);
        Cpu.end();
        done = true;
        if (!pings.offer(END)) {
          fail(new BenchFailure("ping pump full"));
          return;
        }
        pings.complete();
        finished.complete(null);
        return;
      }
      sentAt = System.nanoTime();
      if (!pings.offer(DATA)) {
        fail(new BenchFailure("ping pump full"));
      }
    }

    @Override
    public void onError(Throwable t) {
      if (!done) {
        fail(t);
      }
    }

    @Override
    public void onComplete() {
      if (!done) {
        fail(new BenchFailure("receive completed early"));
      }
    }

    void fail(Throwable t) {
      done = true;
      failure = t;
      finished.complete(null);
    }

    void cancel() {
      Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }
  }

  /**
   * Idle link: both sides attached with the figure's idle policy, nothing sent for
   * {@code --idle-ms}; each process's CPU time over that interval in % of one core (the peer
   * reports its own, from READY to END). Then one END message (seq 0) closes the figure.
   */
  static Result driverIdle(Figure f, RingBench.Options o, PeerJvm peer, Path file) {
    try (VirtioShmLink link = VirtioShmLink.create(file, options(f.idlePolicy(), o.queueSize(), o.bufferSize()))) {
      peer.send(f.command(file.toString(), o.queueSize(), o.bufferSize(), 0));
      peer.expect("READY", PeerJvm.START_TIMEOUT_NANOS);
      Thread.sleep(300);
      long p0 = link.parks();
      long c0 = Cpu.now();
      long t0 = System.nanoTime();
      Thread.sleep(o.idleNanos() / 1_000_000L);
      long c1 = Cpu.now();
      long t1 = System.nanoTime();
      Result r = new Result(f);
      r.driverIdleCpuPercent = 100.0 * (c1 - c0) / (t1 - t0);
      r.driverParks = link.parks() - p0;
      int len = f.payload();
      link.queue(1).send(reactor.core.publisher.Mono.just(END), (Object item, MemorySegment buf) -> {
        Msg.write(buf, 0, len, 0, Msg.END);
        return len;
      }).block(Duration.ofSeconds(10));
      r.sent = 0;
      RingBench.applyPeerReport(r, peer.expect("DONE", PeerJvm.START_TIMEOUT_NANOS));
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchFailure("interrupted");
    }
  }

  /** Waits for {@code f}, failing when {@code progress} stops moving for the stall limit. */
  static void awaitWithStall(CompletableFuture<?> f, Stall stall, java.util.function.LongSupplier progress) {
    while (true) {
      try {
        f.get(100, TimeUnit.MILLISECONDS);
        return;
      } catch (java.util.concurrent.TimeoutException e) {
        stall.check(System.nanoTime(), progress.getAsLong());
      } catch (java.util.concurrent.ExecutionException e) {
        throw new BenchFailure("flux path failed: " + e.getCause(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchFailure("interrupted");
      }
    }
  }

  // =============================================================================================
  // Device side (peer).

  /** The peer's end of a flux figure; returns its {@code DONE ...} line. */
  static String device(String kind, IdlePolicy idle, int len, Path file) throws InterruptedException {
    VhostShmLink link = VhostShmLink.open(file, idle, Duration.ofSeconds(10));
    try {
      long[] threads = Alloc.selfAndPoller(file.getFileName().toString());
      DeviceSink sink = new DeviceSink(len, threads, kind.equals("rtt"));
      if (sink.echo) {
        link.queue(0).send(sink.echoes, sink).subscribe(null, sink::fail);
      }
      link.queue(1).receive().subscribe(sink);
      Peer.ready();
      long readyAt = System.nanoTime();
      if (kind.equals("idle")) {
        Cpu.start();
      }
      Stall stall = new Stall("flux device", null);
      while (!sink.finished.await(100, TimeUnit.MILLISECONDS)) {
        stall.check(System.nanoTime(), sink.expected);
      }
      if (sink.failure != null) {
        throw new BenchFailure("flux device: " + sink.failure, sink.failure);
      }
      if (sink.echo) {
        // Every echo must have left before we close.
        Stall drain = new Stall("flux device (draining echoes)", null);
        while (sink.echoes.pending() > 0) {
          Thread.sleep(1);
          drain.check(System.nanoTime(), sink.echoes.pending());
        }
      }
      link.close();
      return "DONE count=" + sink.expected + " measured=" + sink.measured + " alloc=" + sink.alloc + " parks="
          + link.parks() + (kind.equals("idle") ? " nanos=" + (System.nanoTime() - readyAt) : "");
    } finally {
      link.close();
    }
  }

  /** Receives on queue 1 (poller thread): checks every message; echoes it on queue 0 for rtt. */
  static final class DeviceSink implements CoreSubscriber<BufferLease>, BufferWriter<BufferLease> {
    final int len;
    final long[] threads;
    final boolean echo;
    final Pump<BufferLease> echoes = new Pump<>(1024);
    final CountDownLatch finished = new CountDownLatch(1);
    volatile long expected;
    long measured;
    long a0 = -1;
    volatile long alloc;
    volatile @Nullable Throwable failure;
    @Nullable Subscription subscription;
    boolean done;

    DeviceSink(int len, long[] threads, boolean echo) {
      this.len = len;
      this.threads = threads;
      this.echo = echo;
    }

    @Override
    public void onSubscribe(Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(BufferLease lease) {
      if (done) {
        lease.release();
        return;
      }
      long n = expected;
      MemorySegment data = lease.data();
      int code = Msg.check(data, 0, lease.length(), len, n);
      if (code != Msg.OK) {
        String why = Msg.describe(code, data, 0, lease.length(), len, n);
        lease.release();
        fail(new BenchFailure(why));
        return;
      }
      int type = Msg.type(data, 0);
      if (type == Msg.END) {
        lease.release();
        alloc = a0 < 0 ? 0 : Alloc.bytes(threads) - a0;
        Cpu.end();
        done = true;
        if (echo) {
          echoes.complete();
        }
        Subscription s = subscription;
        if (s != null) {
          s.cancel();
        }
        finished.countDown();
        return;
      }
      if (type == Msg.MEASURE) {
        if (a0 < 0) {
          Cpu.start();
          a0 = Alloc.bytes(threads);
        }
        measured++;
      }
      expected = n + 1;
      if (echo) {
        if (!echoes.offer(lease)) {
          lease.release();
          fail(new BenchFailure("echo pump full"));
        }
      } else {
        lease.release();
      }
    }

    /** Echo writer: copies the received message into the queue-0 buffer, then releases it. */
    @Override
    public int write(BufferLease lease, MemorySegment buffer) {
      int n = lease.length();
      lease.copyTo(buffer, 0);
      lease.release();
      return n;
    }

    @Override
    public void onError(Throwable t) {
      if (!done) {
        fail(t);
      }
    }

    @Override
    public void onComplete() {
      if (!done) {
        fail(new BenchFailure("receive completed before END"));
      }
    }

    void fail(Throwable t) {
      if (failure == null) {
        failure = t;
      }
      done = true;
      finished.countDown();
    }
  }
}
