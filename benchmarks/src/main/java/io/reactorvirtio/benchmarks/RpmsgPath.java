package io.reactorvirtio.benchmarks;

import io.reactorvirtio.rpmsg.EndpointOptions;
import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.rpmsg.RpmsgEndpoint;
import io.reactorvirtio.rpmsg.RpmsgMessage;
import io.reactorvirtio.rpmsg.RpmsgOptions;
import io.reactorvirtio.rpmsg.virtio.RpmsgVirtio;
import io.reactorvirtio.vhost.link.VhostShmLink;
import io.reactorvirtio.virtio.BufferWriter;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.link.VirtioShmLink;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

/**
 * Our rpmsg through its public Flux API, on the same shared-memory link as the flux figures: the
 * parent is the driver-role bus ({@code RpmsgVirtio.driver}) and opens the channel the peer's
 * device-role bus announced ({@code createEndpoint(named("bench").announced())}). Messages go
 * through {@code RpmsgEndpoint.send(items, BufferWriter)} (zero-copy encode) and arrive as
 * {@code receive()} leases ({@link RpmsgMessage}); the hot loops run on the links' poller threads
 * as in {@link FluxPath}. Allocation per message counts this thread and the link's poller thread.
 */
final class RpmsgPath {

  static final String NAME = "bench";
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private RpmsgPath() {}

  /**
   * The driver side, for the {@code rpmsg} figures and, unchanged, for the {@code spring} ones
   * (the peer's device side is then an {@code @RpmsgEndpoint} method, see {@link SpringPath}).
   */
  static Result driver(Figure f, RingBench.Options o, PeerJvm peer, Path file, long warmupNanos, long measureNanos) {
    String what = f.path();
    try (VirtioShmLink link = VirtioShmLink.create(file, FluxPath.options(f.idlePolicy(), o.queueSize(),
            o.bufferSize()));
        RpmsgBus bus = RpmsgVirtio.driver(link, RpmsgOptions.defaults().withName("bench-driver"))) {
      peer.send(f.command(file.toString(), o.queueSize(), o.bufferSize(), 0));
      peer.expect("READY", PeerJvm.START_TIMEOUT_NANOS);
      RpmsgEndpoint ep = bus.openChannel(NAME).block(TIMEOUT);
      if (ep == null) {
        throw new BenchFailure(what + ": no endpoint for channel " + NAME);
      }
      long[] threads = Alloc.selfAndPoller(link.path().getFileName().toString());
      Result r;
      if (f.rtt()) {
        FluxPath.RttDriver<RpmsgMessage> d = new FluxPath.RttDriver<>(f, warmupNanos, measureNanos, threads,
            MESSAGES);
        CompletableFuture<Void> sendDone = ep.send(d.pings, d).toFuture();
        ep.receive().subscribe(d);
        d.start();
        Stall stall = new Stall(what + " round-trip driver", peer);
        FluxPath.awaitWithStall(d.finished, stall, () -> d.seq);
        if (d.failure != null) {
          throw new BenchFailure(what + " round trip: " + d.failure.getMessage(), d.failure);
        }
        FluxPath.awaitWithStall(sendDone, stall, () -> d.seq);
        r = new Result(f);
        long count = d.s1 - d.s0;
        if (d.hist.getTotalCount() != count) {
          throw new BenchFailure(what + " round trip: " + d.hist.getTotalCount() + " samples for " + count);
        }
        r.interval(count, d.t1 - d.t0);
        r.latencies(d.hist);
        r.driverAllocPerMsg = (double) (d.a1 - d.a0) / Math.max(1, count);
        r.sent = d.seq;
        d.cancel();
      } else {
        FluxPath.OneWaySender s = new FluxPath.OneWaySender(f, warmupNanos, measureNanos, threads);
        CompletableFuture<Void> done = ep.send(Flux.generate(s), s).toFuture();
        FluxPath.awaitWithStall(done, new Stall(what + " one-way driver", peer), () -> s.seq);
        if (!s.endSent) {
          throw new BenchFailure(what + " one-way: the send completed before END was written");
        }
        r = new Result(f);
        r.interval(s.s1 - s.s0, s.t1 - s.t0);
        r.driverAllocPerMsg = (double) (s.a1 - s.a0) / Math.max(1, s.s1 - s.s0);
        r.sent = s.seq;
      }
      r.driverParks = link.parks();
      String done = peer.expect("DONE", PeerJvm.START_TIMEOUT_NANOS);
      RingBench.applyPeerReport(r, done);
      return r;
    }
  }

  /** rpmsg messages, for {@link FluxPath.RttDriver}. */
  static final FluxPath.Received<RpmsgMessage> MESSAGES = new FluxPath.Received<>() {
    @Override
    public MemorySegment data(RpmsgMessage m) {
      return m.data();
    }

    @Override
    public int length(RpmsgMessage m) {
      return m.length();
    }

    @Override
    public void release(RpmsgMessage m) {
      m.release();
    }
  };

  // =============================================================================================
  // Device side (peer).

  static String device(String kind, IdlePolicy idle, int len, Path file) throws InterruptedException {
    try (VhostShmLink link = VhostShmLink.open(file, idle, TIMEOUT);
        RpmsgBus bus = RpmsgVirtio.device(link, RpmsgOptions.defaults().withName("bench-device"))) {
      RpmsgEndpoint ep = bus.createEndpoint(EndpointOptions.named(NAME).announced()).block(TIMEOUT);
      if (ep == null) {
        throw new BenchFailure("rpmsg device: no endpoint");
      }
      long[] threads = Alloc.selfAndPoller(file.getFileName().toString());
      DeviceSink sink = new DeviceSink(new Tally(len, threads), kind.equals("rtt"));
      if (sink.echo) {
        ep.send(sink.echoes, sink).subscribe(null, sink::fail);
      }
      ep.receive().subscribe(sink);
      Peer.ready();
      Stall stall = new Stall("rpmsg device", null);
      while (!sink.finished.await(100, TimeUnit.MILLISECONDS)) {
        stall.check(System.nanoTime(), sink.tally.expected);
      }
      if (sink.failure != null) {
        throw new BenchFailure("rpmsg device: " + sink.failure, sink.failure);
      }
      if (sink.echo) {
        Stall drain = new Stall("rpmsg device (draining echoes)", null);
        while (sink.echoes.pending() > 0) {
          Thread.sleep(1);
          drain.check(System.nanoTime(), sink.echoes.pending());
        }
      }
      return sink.tally.done(link.parks());
    }
  }

  /**
   * What a receiving device does with each message, whatever hands it over (a {@code receive()}
   * subscriber here, an {@code @RpmsgEndpoint} method in {@link SpringPath}): checks it
   * ({@link Msg#check}: sequence, length, pattern), counts MEASURE messages, and measures this
   * side's allocation ({@link Alloc}, over {@link #threads}) and CPU over the measured window.
   * Called on one thread (the link's poller); the results are read after {@code END}.
   */
  static final class Tally {
    final int len;
    volatile long @Nullable [] threads;
    volatile long expected;
    long measured;
    long a0 = -1;
    volatile long alloc;

    Tally(int len, long @Nullable [] threads) {
      this.len = len;
      this.threads = threads;
    }

    /**
     * The message's type ({@link Msg#WARMUP}, {@link Msg#MEASURE} or {@link Msg#END}: the
     * measured window closes), or a negative {@link Msg#check} code for a bad message
     * ({@link #describe} says what is wrong). Allocation-free.
     */
    int accept(MemorySegment data, int length) {
      long n = expected;
      int code = Msg.check(data, 0, length, len, n);
      if (code != Msg.OK) {
        return code;
      }
      int type = Msg.type(data, 0);
      if (type == Msg.END) {
        alloc = a0 < 0 ? 0 : Alloc.bytes(threads()) - a0;
        Cpu.end();
        return type;
      }
      if (type == Msg.MEASURE) {
        if (a0 < 0) {
          Cpu.start();
          a0 = Alloc.bytes(threads());
        }
        measured++;
      }
      expected = n + 1;
      return type;
    }

    private long[] threads() {
      long[] t = threads;
      if (t == null) {
        throw new IllegalStateException("measuring threads not set");
      }
      return t;
    }

    /** Why the message {@link #accept} refused with {@code code} is bad (allocates: failure path). */
    String describe(int code, MemorySegment data, int length) {
      return Msg.describe(code, data, 0, length, len, expected);
    }

    /** The peer's report after END ({@link RingBench#applyPeerReport}); {@code parks} -1: unknown. */
    String done(long parks) {
      return "DONE count=" + expected + " measured=" + measured + " alloc=" + alloc + " parks=" + parks;
    }
  }

  /** Receives on queue 1 (poller thread): checks every message; echoes it on queue 0 for rtt. */
  static final class DeviceSink implements CoreSubscriber<RpmsgMessage>, BufferWriter<RpmsgMessage> {
    final Tally tally;
    final boolean echo;
    final Pump<RpmsgMessage> echoes = new Pump<>(1024);
    final CountDownLatch finished = new CountDownLatch(1);
    volatile @Nullable Throwable failure;
    @Nullable Subscription subscription;
    boolean done;

    DeviceSink(Tally tally, boolean echo) {
      this.tally = tally;
      this.echo = echo;
    }

    @Override
    public void onSubscribe(Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(RpmsgMessage lease) {
      if (done) {
        lease.release();
        return;
      }
      MemorySegment data = lease.data();
      int type = tally.accept(data, lease.length());
      if (type < 0) {
        String why = tally.describe(type, data, lease.length());
        lease.release();
        fail(new BenchFailure(why));
        return;
      }
      if (type == Msg.END) {
        lease.release();
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
    public int write(RpmsgMessage lease, MemorySegment buffer) {
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
