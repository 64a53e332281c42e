package io.reactorvirtio.benchmarks;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.HdrHistogram.Histogram;

/**
 * The floor: a cache-line ping-pong between the two processes on one long in a {@code /dev/shm}
 * file (acquire/release), no ring at all. The parent writes an odd value, the peer answers with the
 * next even one. Each round trip is timed with {@code System.nanoTime} (about 20 ns of the figure).
 */
final class CacheLine2 {

  private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
  private static final long OFFSET = 128;
  private static final long STOP = Long.MIN_VALUE;

  private CacheLine2() {}

  static MemorySegment map(Path file, Arena arena, boolean create) {
    try (FileChannel ch = create
        ? FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
        : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      return ch.map(FileChannel.MapMode.READ_WRITE, 0, 4096, arena);
    } catch (IOException e) {
      throw new BenchFailure("cache line: cannot map " + file + ": " + e, e);
    }
  }

  static Result driver(Figure f, Path file, long warmupNanos, long measureNanos, PeerJvm peer) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = map(file, arena, true);
      peer.send(f.command(file.toString(), 0, 0, 0));
      peer.expect("READY", PeerJvm.START_TIMEOUT_NANOS);
      Histogram hist = new Histogram(60_000_000_000L, 3);
      Stall stall = new Stall("cache-line ping", peer);
      long start = System.nanoTime();
      long warmEnd = start + warmupNanos;
      long measureEnd = warmEnd + measureNanos;
      boolean measuring = false;
      long v = 0;
      long rounds = 0;
      long t0 = 0;
      long r0 = 0;
      long[] me = {Thread.currentThread().threadId()};
      long a0 = 0;
      while (true) {
        long sentAt = System.nanoTime();
        LONG.setRelease(seg, OFFSET, v + 1);
        long want = v + 2;
        int spins = 0;
        while ((long) LONG.getAcquire(seg, OFFSET) != want) {
          Thread.onSpinWait();
          if ((++spins & 0xFFFF) == 0) {
            stall.check(System.nanoTime(), rounds);
          }
        }
        long now = System.nanoTime();
        v = want;
        rounds++;
        if (measuring) {
          hist.recordValue(Math.min(now - sentAt, hist.getHighestTrackableValue()));
        }
        if ((rounds & 0x3F) == 0) {
          if (!measuring && now >= warmEnd) {
            measuring = true;
            t0 = now;
            r0 = rounds;
            Cpu.start();
            a0 = Alloc.bytes(me);
          } else if (measuring && now >= measureEnd) {
            long a1 = Alloc.bytes(me);
            Cpu.end();
            Result res = new Result(f);
            long count = rounds - r0;
            if (hist.getTotalCount() != count) {
              throw new BenchFailure("cache line: " + hist.getTotalCount() + " samples for " + count);
            }
            res.interval(count, now - t0);
            res.latencies(hist);
            res.driverAllocPerMsg = (double) (a1 - a0) / Math.max(1, count);
            res.sent = rounds;
            LONG.setRelease(seg, OFFSET, STOP);
            return res;
          }
        }
      }
    }
  }

  static String device(Path file) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = map(file, arena, false);
      Peer.ready();
      long answered = 0;
      Stall stall = new Stall("cache-line pong", null);
      int spins = 0;
      while (true) {
        long v = (long) LONG.getAcquire(seg, OFFSET);
        if (v == STOP) {
          return "DONE count=" + answered + " measured=0 alloc=0 parks=0";
        }
        if ((v & 1) != 0) {
          LONG.setRelease(seg, OFFSET, v + 1);
          answered++;
        } else {
          Thread.onSpinWait();
          if ((++spins & 0xFFFF) == 0) {
            stall.check(System.nanoTime(), answered);
          }
        }
      }
    }
  }
}
