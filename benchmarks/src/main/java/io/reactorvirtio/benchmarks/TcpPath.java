package io.reactorvirtio.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
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
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * Reactor Netty TCP on 127.0.0.1 with the same messages, each framed by a 4-byte big-endian length
 * ({@link LengthFieldBasedFrameDecoder} on both ends; the frame keeps its prefix, so an echo sends
 * the received frame back as it is). The server runs in the peer, the client in the parent. One-way:
 * the client sends through one {@code outbound.send(Flux)} (Reactor Netty's batched flushes), the
 * server checks every frame and measures the rate where the messages arrive. Round trip: one frame
 * in flight, flushed at once ({@code send(pump, b -> true)}), echoed by the server the same way.
 * Allocation per message counts the whole JVM ({@code getTotalThreadAllocatedMemory}), event loops
 * included.
 */
final class TcpPath {

  static final int MAX_FRAME = 1 << 16;

  private TcpPath() {}

  static LengthFieldBasedFrameDecoder decoder() {
    return new LengthFieldBasedFrameDecoder(MAX_FRAME + 4, 0, 4, 0, 0);
  }

  /** Copies frame's message (after the prefix) into {@code check} and checks it; returns its type. */
  static int check(ByteBuf frame, MemorySegment checkSeg, ByteBuffer checkBuf, int len, long expected, String who) {
    int n = frame.readableBytes() - 4;
    if (n < 0 || n > MAX_FRAME) {
      throw new BenchFailure(who + ": frame of " + frame.readableBytes() + " bytes");
    }
    checkBuf.clear().limit(n);
    frame.getBytes(frame.readerIndex() + 4, checkBuf);
    int code = Msg.check(checkSeg, 0, n, len, expected);
    if (code != Msg.OK) {
      throw new BenchFailure(who + ": " + Msg.describe(code, checkSeg, 0, n, len, expected));
    }
    return Msg.type(checkSeg, 0);
  }

  /** A framed message from a staging segment (one copy into a pooled direct buffer). */
  static final class Framer {
    final Arena arena = Arena.ofAuto();
    final MemorySegment staging = arena.allocate(MAX_FRAME, 8);
    final ByteBuffer stagingBuf = staging.asByteBuffer();
    final int len;

    Framer(int len) {
      this.len = len;
    }

    ByteBuf frame(ByteBufAllocator alloc, long seq, int type) {
      Msg.write(staging, 0, len, seq, type);
      ByteBuf b = alloc.directBuffer(4 + len);
      b.writeInt(len);
      stagingBuf.clear().limit(len);
      b.writeBytes(stagingBuf);
      return b;
    }
  }

  // =============================================================================================
  // Parent: the client.

  static Result driver(Figure f, String file, long warmupNanos, long measureNanos, PeerJvm peer) {
    peer.send(f.command(file, 0, 0, 0));
    String ready = peer.expect("READY", PeerJvm.START_TIMEOUT_NANOS);
    int port = Integer.parseInt(ready.substring(ready.indexOf("port=") + 5).trim());
    Connection conn = TcpClient.create().host("127.0.0.1").port(port).noSSL()
        .doOnConnected(c -> c.addHandlerLast("frames", decoder()))
        .connectNow(Duration.ofSeconds(10));
    try {
      return f.rtt() ? roundTrip(conn, f, warmupNanos, measureNanos, peer) : oneWay(conn, f, warmupNanos, measureNanos,
          peer);
    } finally {
      conn.disposeNow(Duration.ofSeconds(10));
    }
  }

  private static Result oneWay(Connection conn, Figure f, long warmupNanos, long measureNanos, PeerJvm peer) {
    Sender s = new Sender(f.payload(), conn.outbound().alloc(), warmupNanos, measureNanos);
    CompletableFuture<Void> done = conn.outbound().send(Flux.generate(s)).then().toFuture();
    FluxPath.awaitWithStall(done, new Stall("tcp one-way client", peer), () -> s.seq);
    if (!s.endSent) {
      throw new BenchFailure("tcp one-way: the send completed before END was written");
    }
    Result r = new Result(f);
    r.sent = s.seq;
    // The rate, CPU and allocation are the server's (where the messages arrive): see applyPeerReport.
    r.interval(s.s1 - s.s0, s.t1 - s.t0);
    r.driverAllocPerMsg = (double) (s.a1 - s.a0) / Math.max(1, s.s1 - s.s0);
    return r;
  }

  static final class Sender implements Consumer<SynchronousSink<ByteBuf>> {
    final Framer framer;
    final ByteBufAllocator alloc;
    final long warmEnd;
    final long measureEnd;
    volatile long seq;
    int type = Msg.WARMUP;
    boolean endSent;
    long t0;
    long s0;
    long a0;
    long t1;
    long s1;
    long a1;

    Sender(int len, ByteBufAllocator alloc, long warmupNanos, long measureNanos) {
      this.framer = new Framer(len);
      this.alloc = alloc;
      long start = System.nanoTime();
      this.warmEnd = start + warmupNanos;
      this.measureEnd = warmEnd + measureNanos;
    }

    @Override
    public void accept(SynchronousSink<ByteBuf> sink) {
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
          a0 = Alloc.total();
        } else if (type == Msg.MEASURE && now >= measureEnd) {
          t1 = now;
          s1 = n;
          a1 = Alloc.total();
          Cpu.end();
          endSent = true;
          sink.next(framer.frame(alloc, n, Msg.END));
          sink.complete();
          return;
        }
      }
      sink.next(framer.frame(alloc, n, type));
      seq = n + 1;
    }
  }

  private static Result roundTrip(Connection conn, Figure f, long warmupNanos, long measureNanos, PeerJvm peer) {
    RttClient d = new RttClient(f.payload(), conn.outbound().alloc(), warmupNanos, measureNanos);
    conn.outbound().send(d.pings, b -> true).then().subscribe(null, d::fail);
    conn.inbound().receive().subscribe(d);
    conn.channel().eventLoop().execute(d::start);
    Stall stall = new Stall("tcp round-trip client", peer);
    FluxPath.awaitWithStall(d.finished, stall, () -> d.seq);
    if (d.failure != null) {
      throw new BenchFailure("tcp round trip: " + d.failure.getMessage(), d.failure);
    }
    long count = d.s1 - d.s0;
    if (d.hist.getTotalCount() != count) {
      throw new BenchFailure("tcp round trip: " + d.hist.getTotalCount() + " samples for " + count + " round trips");
    }
    Result r = new Result(f);
    r.interval(count, d.t1 - d.t0);
    r.latencies(d.hist);
    r.driverAllocPerMsg = (double) (d.a1 - d.a0) / Math.max(1, count);
    r.sent = d.seq;
    return r;
  }

  /** Runs on the client's event loop: checks each echo, records it, sends the next ping. */
  static final class RttClient implements CoreSubscriber<ByteBuf> {
    final Pump<ByteBuf> pings = new Pump<>(8);
    final Histogram hist = new Histogram(60_000_000_000L, 3);
    final CompletableFuture<Void> finished = new CompletableFuture<>();
    final Framer framer;
    final ByteBuffer checkBuf;
    final MemorySegment checkSeg;
    final ByteBufAllocator alloc;
    final int len;
    final long warmupNanos;
    final long measureNanos;
    volatile long seq;
    volatile @Nullable Throwable failure;
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

    RttClient(int len, ByteBufAllocator alloc, long warmupNanos, long measureNanos) {
      this.len = len;
      this.alloc = alloc;
      this.framer = new Framer(len);
      this.checkSeg = framer.arena.allocate(MAX_FRAME, 8);
      this.checkBuf = checkSeg.asByteBuffer();
      this.warmupNanos = warmupNanos;
      this.measureNanos = measureNanos;
    }

    void start() {
      long now = System.nanoTime();
      warmEnd = now + warmupNanos;
      measureEnd = warmEnd + measureNanos;
      sentAt = System.nanoTime();
      send(Msg.WARMUP);
    }

    private void send(int t) {
      if (!pings.offer(framer.frame(alloc, seq, t))) {
        fail(new BenchFailure("ping pump full"));
      }
    }

    @Override
    public void onSubscribe(Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(ByteBuf frame) {
      long now = System.nanoTime();
      if (done) {
        return;
      }
      try {
        check(frame, checkSeg, checkBuf, len, seq, "tcp echo");
      } catch (BenchFailure e) {
        fail(e);
        return;
      }
      if (type == Msg.MEASURE) {
        hist.recordValue(Math.min(now - sentAt, hist.getHighestTrackableValue()));
      }
      long n = seq + 1;
      seq = n;
      if (type == Msg.WARMUP && now >= warmEnd) {
        type = Msg.MEASURE;
        t0 = now;
        s0 = n;
        Cpu.start();
        a0 = Alloc.total();
      } else if (type == Msg.MEASURE && now >= measureEnd) {
        t1 = now;
        s1 = n;
        a1 = Alloc.total();
        Cpu.end();
        done = true;
        send(Msg.END);
        pings.complete();
        finished.complete(null);
        return;
      }
      sentAt = System.nanoTime();
      send(type);
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
        fail(new BenchFailure("the connection closed early"));
      }
    }

    void fail(Throwable t) {
      done = true;
      if (failure == null) {
        failure = t;
      }
      finished.complete(null);
    }
  }

  // =============================================================================================
  // Peer: the server.

  static String device(String kind, int len) throws InterruptedException {
    ServerSink sink = new ServerSink(len, kind.equals("rtt"));
    DisposableServer server = TcpServer.create().host("127.0.0.1").port(0).noSSL()
        .doOnConnection(c -> c.addHandlerLast("frames", decoder()))
        .handle((in, out) -> sink.echo
            ? out.send(in.receive().handle(sink::onFrame), b -> true)
            : in.receive().handle(sink::onFrame).then())
        .bindNow(Duration.ofSeconds(10));
    try {
      System.out.println("READY port=" + server.port());
      System.out.flush();
      Stall stall = new Stall("tcp server", null);
      while (!sink.finished.await(100, TimeUnit.MILLISECONDS)) {
        stall.check(System.nanoTime(), sink.expected);
      }
      if (sink.failure != null) {
        throw new BenchFailure("tcp server: " + sink.failure, sink.failure);
      }
      return "DONE count=" + sink.expected + " measured=" + sink.measured + " alloc=" + sink.alloc + " parks=0 nanos="
          + sink.nanos;
    } finally {
      server.disposeNow(Duration.ofSeconds(10));
    }
  }

  /** Checks every frame on the server's event loop; for round trips passes it on to be echoed. */
  static final class ServerSink {
    final int len;
    final boolean echo;
    final MemorySegment checkSeg = Arena.ofAuto().allocate(MAX_FRAME, 8);
    final ByteBuffer checkBuf = checkSeg.asByteBuffer();
    final CountDownLatch finished = new CountDownLatch(1);
    volatile long expected;
    long measured;
    long a0 = -1;
    long t0;
    volatile long alloc;
    volatile long nanos;
    volatile @Nullable Throwable failure;
    boolean done;

    ServerSink(int len, boolean echo) {
      this.len = len;
      this.echo = echo;
    }

    void onFrame(ByteBuf frame, SynchronousSink<ByteBuf> out) {
      if (done) {
        return;
      }
      int type;
      try {
        type = check(frame, checkSeg, checkBuf, len, expected, "tcp server");
      } catch (BenchFailure e) {
        failure = e;
        done = true;
        finished.countDown();
        out.error(e);
        return;
      }
      if (type == Msg.END) {
        alloc = a0 < 0 ? 0 : Alloc.total() - a0;
        Cpu.end();
        nanos = System.nanoTime() - t0;
        done = true;
        finished.countDown();
        out.complete();
        return;
      }
      if (type == Msg.MEASURE) {
        if (a0 < 0) {
          t0 = System.nanoTime();
          Cpu.start();
          a0 = Alloc.total();
        }
        measured++;
      }
      expected = expected + 1;
      if (echo) {
        out.next(frame.retain());
      }
    }
  }
}
