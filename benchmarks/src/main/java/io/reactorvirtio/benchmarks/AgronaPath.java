package io.reactorvirtio.benchmarks;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Agrona's {@link OneToOneRingBuffer}, two of them in one {@code /dev/shm} file mapped by both
 * processes ({@link IoUtil#mapExistingFile}, wrapped in an {@link UnsafeBuffer}): ring 0 carries
 * parent to peer, ring 1 peer to parent. The parent writes in place ({@code tryClaim}/{@code commit});
 * the peer reads with {@code read(handler)} and, for round trips, echoes with {@code write}. Both
 * sides busy-spin ({@code Thread.onSpinWait}). Same message format and checks as the other paths.
 */
final class AgronaPath {

  static final int CAPACITY = 1 << 20;
  static final int RING_BYTES = CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
  static final int MSG_TYPE = 1;

  private AgronaPath() {}

  /** Both rings of one file, mapped. */
  static final class Rings implements AutoCloseable {
    final MappedByteBuffer mapped;
    final OneToOneRingBuffer ping;
    final OneToOneRingBuffer pong;
    final MemorySegment pingSeg;
    final MemorySegment pongSeg;

    Rings(Path file, boolean create) {
      if (create) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
          f.setLength(2L * RING_BYTES);
        } catch (IOException e) {
          throw new BenchFailure("agrona: cannot create " + file + ": " + e, e);
        }
      }
      mapped = IoUtil.mapExistingFile(file.toFile(), "agrona-bench");
      ping = new OneToOneRingBuffer(new UnsafeBuffer(mapped, 0, RING_BYTES));
      pong = new OneToOneRingBuffer(new UnsafeBuffer(mapped, RING_BYTES, RING_BYTES));
      MemorySegment all = MemorySegment.ofBuffer(mapped);
      pingSeg = all.asSlice(0, RING_BYTES);
      pongSeg = all.asSlice(RING_BYTES, RING_BYTES);
    }

    @Override
    public void close() {
      IoUtil.unmap(mapped);
    }
  }

  /** Claims {@code len} bytes on {@code ring} (spinning while full) and writes message {@code seq} in place. */
  private static void put(OneToOneRingBuffer ring, MemorySegment seg, int len, long seq, int type, Stall stall,
      long progress) {
    int idx;
    while ((idx = ring.tryClaim(MSG_TYPE, len)) < 0) {
      Thread.onSpinWait();
      stall.check(System.nanoTime(), progress);
    }
    Msg.write(seg, idx, len, seq, type);
    ring.commit(idx);
  }

  // =============================================================================================
  // Parent.

  static Result driver(Figure f, Path file, long warmupNanos, long measureNanos, PeerJvm peer) {
    try (Rings r = new Rings(file, true)) {
      peer.send(f.command(file.toString(), 0, 0, 0));
      peer.expect("READY", PeerJvm.START_TIMEOUT_NANOS);
      Result res = f.rtt() ? roundTrip(r, f, warmupNanos, measureNanos, peer)
          : oneWay(r, f, warmupNanos, measureNanos, peer);
      return res;
    }
  }

  private static Result oneWay(Rings r, Figure f, long warmupNanos, long measureNanos, PeerJvm peer) {
    int len = f.payload();
    Stall stall = new Stall("agrona one-way writer", peer);
    long start = System.nanoTime();
    long warmEnd = start + warmupNanos;
    long measureEnd = warmEnd + measureNanos;
    int type = Msg.WARMUP;
    long seq = 0;
    long t0 = 0;
    long s0 = 0;
    long a0 = 0;
    long[] me = {Thread.currentThread().threadId()};
    while (true) {
      put(r.ping, r.pingSeg, len, seq, type, stall, seq);
      seq++;
      if ((seq & 31) == 0) {
        long now = System.nanoTime();
        stall.check(now, seq);
        if (type == Msg.WARMUP && now >= warmEnd) {
          type = Msg.MEASURE;
          t0 = now;
          s0 = seq;
          Cpu.start();
          a0 = Alloc.bytes(me);
        } else if (type == Msg.MEASURE && now >= measureEnd) {
          long a1 = Alloc.bytes(me);
          Cpu.end();
          Result res = new Result(f);
          res.interval(seq - s0, now - t0);
          res.driverAllocPerMsg = (double) (a1 - a0) / Math.max(1, seq - s0);
          res.sent = seq;
          put(r.ping, r.pingSeg, len, seq, Msg.END, stall, seq);
          return res;
        }
      }
    }
  }

  /** Round trip: receives echoes on ring 1, checking each. */
  private static final class EchoReader implements MessageHandler {
    final MemorySegment seg;
    final int len;
    long expected;
    int got;

    EchoReader(MemorySegment seg, int len) {
      this.seg = seg;
      this.len = len;
    }

    @Override
    public void onMessage(int msgTypeId, org.agrona.MutableDirectBuffer buffer, int index, int length) {
      int code = Msg.check(seg, index, length, len, expected);
      if (code != Msg.OK) {
        throw new BenchFailure("agrona echo: " + Msg.describe(code, seg, index, length, len, expected));
      }
      got++;
    }
  }

  private static Result roundTrip(Rings r, Figure f, long warmupNanos, long measureNanos, PeerJvm peer) {
    int len = f.payload();
    Stall stall = new Stall("agrona round-trip driver", peer);
    Histogram hist = new Histogram(60_000_000_000L, 3);
    EchoReader echo = new EchoReader(r.pongSeg, len);
    long start = System.nanoTime();
    long warmEnd = start + warmupNanos;
    long measureEnd = warmEnd + measureNanos;
    int type = Msg.WARMUP;
    long seq = 0;
    long t0 = 0;
    long s0 = 0;
    long a0 = 0;
    long[] me = {Thread.currentThread().threadId()};
    while (true) {
      long sentAt = System.nanoTime();
      put(r.ping, r.pingSeg, len, seq, type, stall, seq);
      echo.expected = seq;
      echo.got = 0;
      while (r.pong.read(echo, 1) == 0) {
        Thread.onSpinWait();
        if ((seq & 0xFF) == 0) {
          stall.check(System.nanoTime(), seq);
        }
      }
      long now = System.nanoTime();
      if (type == Msg.MEASURE) {
        hist.recordValue(Math.min(now - sentAt, hist.getHighestTrackableValue()));
      }
      seq++;
      if ((seq & 0xFF) == 0) {
        stall.check(now, seq);
      }
      if (type == Msg.WARMUP && now >= warmEnd) {
        type = Msg.MEASURE;
        t0 = now;
        s0 = seq;
        Cpu.start();
        a0 = Alloc.bytes(me);
      } else if (type == Msg.MEASURE && now >= measureEnd) {
        long a1 = Alloc.bytes(me);
        Cpu.end();
        long count = seq - s0;
        if (hist.getTotalCount() != count) {
          throw new BenchFailure("agrona round trip: " + hist.getTotalCount() + " samples for " + count);
        }
        Result res = new Result(f);
        res.interval(count, now - t0);
        res.latencies(hist);
        res.driverAllocPerMsg = (double) (a1 - a0) / Math.max(1, count);
        res.sent = seq;
        put(r.ping, r.pingSeg, len, seq, Msg.END, stall, seq);
        return res;
      }
    }
  }

  // =============================================================================================
  // Peer.

  /** Checks every message on ring 0; echoes it on ring 1 for round trips. */
  private static final class Device implements MessageHandler {
    final Rings r;
    final int len;
    final boolean echo;
    final long[] me = {Thread.currentThread().threadId()};
    long expected;
    long measured;
    long a0 = -1;
    long a1;
    boolean end;

    Device(Rings r, int len, boolean echo) {
      this.r = r;
      this.len = len;
      this.echo = echo;
    }

    @Override
    public void onMessage(int msgTypeId, org.agrona.MutableDirectBuffer buffer, int index, int length) {
      int code = Msg.check(r.pingSeg, index, length, len, expected);
      if (code != Msg.OK) {
        throw new BenchFailure("agrona device: " + Msg.describe(code, r.pingSeg, index, length, len, expected));
      }
      int type = Msg.type(r.pingSeg, index);
      if (type == Msg.END) {
        a1 = Alloc.bytes(me);
        Cpu.end();
        end = true;
        return;
      }
      if (type == Msg.MEASURE) {
        if (a0 < 0) {
          Cpu.start();
          a0 = Alloc.bytes(me);
        }
        measured++;
      }
      expected++;
      if (echo) {
        while (!r.pong.write(MSG_TYPE, buffer, index, length)) {
          Thread.onSpinWait();
        }
      }
    }
  }

  static String device(String kind, int len, Path file) {
    try (Rings r = new Rings(file, false)) {
      Device d = new Device(r, len, kind.equals("rtt"));
      Peer.ready();
      Stall stall = new Stall("agrona device", null);
      int spins = 0;
      while (!d.end) {
        if (r.ping.read(d) == 0) {
          Thread.onSpinWait();
          if ((++spins & 0xFFF) == 0) {
            stall.check(System.nanoTime(), d.expected);
          }
        }
      }
      return "DONE count=" + d.expected + " measured=" + d.measured + " alloc=" + (d.a0 < 0 ? 0 : d.a1 - d.a0)
          + " parks=0";
    }
  }
}
