package io.reactorvirtio.benchmarks;

import io.reactorvirtio.vhost.internal.vringh.Chain;
import io.reactorvirtio.vhost.internal.vringh.Vringh;
import io.reactorvirtio.virtio.internal.ring.LittleEndian;
import io.reactorvirtio.virtio.internal.ring.QueueGeometry;
import io.reactorvirtio.virtio.internal.ring.SplitQueueDriver;
import io.reactorvirtio.virtio.link.ShmLinkLayout;
import io.reactorvirtio.virtio.memory.SharedRegion;
import io.reactorvirtio.virtio.memory.Window;
import io.reactorvirtio.virtio.notify.FutexDoorbell;
import io.reactorvirtio.virtio.notify.FutexInterruptSource;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;

/**
 * The raw-ring figures: {@link SplitQueueDriver} in the parent against {@link Vringh} in the peer,
 * on the file layout of {@code VirtioShmLink} (queue 0 device to driver, queue 1 driver to device,
 * futex doorbells in the header), with no Reactor and no poller thread: each side's loop runs on
 * its main thread.
 */
final class RawRing {

  /** Most buffers the driver adds (or the device completes) before one notification decision. */
  static final int BATCH = 64;

  private RawRing() {}

  static SplitQueueDriver driverQueue(MemorySegment seg, int q, int n) {
    QueueGeometry g = QueueGeometry.legacy(ShmLinkLayout.ringOffset(q, n), n, ShmLinkLayout.RING_ALIGN);
    return SplitQueueDriver.create("raw/q" + q, g, Window.identity(seg), true);
  }

  static Vringh deviceQueue(MemorySegment seg, int q, int n) {
    QueueGeometry g = QueueGeometry.legacy(ShmLinkLayout.ringOffset(q, n), n, ShmLinkLayout.RING_ALIGN);
    return Vringh.attach("raw/q" + q, g, Window.identity(seg), true, false);
  }

  // =============================================================================================
  // Driver side (parent process).

  /** The parent's end of a raw figure: creates the file, owns both driver rings. */
  static final class Driver implements AutoCloseable {

    final SharedRegion region;
    final MemorySegment seg;
    final int n;
    final int bufferSize;
    final SplitQueueDriver rx; // queue 0: device -> driver, device-writable buffers
    final SplitQueueDriver tx; // queue 1: driver -> device
    final long rxBuffers;
    final long txBuffers;
    final FutexInterruptSource irq;
    final FutexDoorbell deviceBell;

    Driver(Path file, int n, int bufferSize) {
      this.region = SharedRegion.create(file, ShmLinkLayout.fileSize(2, n, bufferSize));
      this.seg = region.segment();
      this.n = n;
      this.bufferSize = bufferSize;
      this.rx = driverQueue(seg, 0, n);
      this.tx = driverQueue(seg, 1, n);
      this.rxBuffers = ShmLinkLayout.bufferOffset(2, n, bufferSize, 0);
      this.txBuffers = ShmLinkLayout.bufferOffset(2, n, bufferSize, 1);
      this.irq = new FutexInterruptSource(seg, ShmLinkLayout.DRIVER_DOORBELL_OFFSET);
      this.deviceBell = new FutexDoorbell(seg, ShmLinkLayout.DEVICE_DOORBELL_OFFSET);
      // Same header as VirtioShmLink writes (not needed by the raw peer, but keeps the file a link).
      seg.set(LittleEndian.U32, ShmLinkLayout.VERSION_OFFSET, ShmLinkLayout.VERSION);
      seg.set(LittleEndian.U32, ShmLinkLayout.QUEUES_OFFSET, 2);
      seg.set(LittleEndian.U32, ShmLinkLayout.QUEUE_SIZE_OFFSET, n);
      seg.set(LittleEndian.U32, ShmLinkLayout.BUFFER_SIZE_OFFSET, bufferSize);
      seg.set(LittleEndian.U32, ShmLinkLayout.FEATURES_OFFSET, ShmLinkLayout.FEATURE_EVENT_IDX);
      seg.set(LittleEndian.U32, ShmLinkLayout.INBOUND_OFFSET, 1);
      seg.set(LittleEndian.U32, ShmLinkLayout.STATUS_OFFSET, ShmLinkLayout.STATUS_DRIVER_OK);
      LittleEndian.U64.varHandle().setRelease(seg, ShmLinkLayout.MAGIC_OFFSET, ShmLinkLayout.MAGIC);
    }

    /**
     * One-way: adds messages on queue 1 as fast as buffers come back; counts the chains reclaimed
     * (sent, consumed and completed) per second over the measured interval.
     */
    Result oneWay(Figure f, long warmupNanos, long measureNanos, long spinNanos, PeerJvm peer) {
      final int len = f.payload();
      final boolean park = f.mode().equals("futex");
      RawIdle idle = new RawIdle(park, spinNanos, irq);
      RawIdle.Notifications used = notifications(tx);
      int[] free = new int[n];
      int freeCount = n;
      for (int i = 0; i < n; i++) {
        free[i] = n - 1 - i;
      }
      int[] fifo = new int[n]; // buffers in the ring, in the order added: completions must follow it
      int fifoHead = 0;
      int fifoTail = 0;
      long seq = 0;
      long reclaimed = 0;
      int type = Msg.WARMUP;
      long[] me = {Thread.currentThread().threadId()};
      Stall stall = new Stall("raw one-way driver", peer);
      long start = System.nanoTime();
      long warmEnd = start + warmupNanos;
      long measureEnd = warmEnd + measureNanos;
      long t0 = 0;
      long r0 = 0;
      long a0 = 0;
      long t1;
      long r1;
      long a1;
      while (true) {
        int c;
        while ((c = tx.pollUsed()) >= 0) {
          if (c != fifo[fifoHead & (n - 1)]) {
            throw new BenchFailure("raw one-way: device completed buffer " + c + " but buffer "
                + fifo[fifoHead & (n - 1)] + " was next (message " + reclaimed + "): completions out of order");
          }
          fifoHead++;
          free[freeCount++] = c;
          reclaimed++;
        }
        if (c == SplitQueueDriver.BROKEN) {
          throw new BenchFailure("raw one-way: " + tx.violation().getMessage());
        }
        int k = 0;
        while (freeCount > 0 && k < BATCH) {
          int b = free[--freeCount];
          long off = txBuffers + (long) b * bufferSize;
          Msg.write(seg, off, len, seq, type);
          if (tx.addBuffer(off, len, false, b) < 0) {
            throw new BenchFailure("raw one-way: addBuffer failed with a free buffer: " + tx);
          }
          fifo[fifoTail++ & (n - 1)] = b;
          seq++;
          k++;
        }
        long now = System.nanoTime();
        if (k > 0) {
          if (tx.kickPrepare()) {
            deviceBell.ring();
          }
          idle.reset();
        } else {
          idle.idle(used, now);
        }
        stall.check(now, reclaimed);
        if (type == Msg.WARMUP && now >= warmEnd) {
          type = Msg.MEASURE;
          t0 = now;
          r0 = reclaimed;
          Cpu.start();
          a0 = Alloc.bytes(me);
        } else if (type == Msg.MEASURE && now >= measureEnd) {
          t1 = now;
          r1 = reclaimed;
          a1 = Alloc.bytes(me);
          Cpu.end();
          break;
        }
      }
      // END, then wait until everything came back.
      Stall drain = new Stall("raw one-way driver (draining)", peer);
      while (true) {
        int c;
        while ((c = tx.pollUsed()) >= 0) {
          if (c != fifo[fifoHead & (n - 1)]) {
            throw new BenchFailure("raw one-way: completions out of order while draining");
          }
          fifoHead++;
          free[freeCount++] = c;
          reclaimed++;
        }
        if (c == SplitQueueDriver.BROKEN) {
          throw new BenchFailure("raw one-way: " + tx.violation().getMessage());
        }
        if (freeCount > 0) {
          break;
        }
        long now = System.nanoTime();
        idle.idle(used, now);
        drain.check(now, reclaimed);
      }
      int b = free[--freeCount];
      long off = txBuffers + (long) b * bufferSize;
      Msg.write(seg, off, len, seq, Msg.END);
      tx.addBuffer(off, len, false, b);
      fifo[fifoTail++ & (n - 1)] = b;
      if (tx.kickPrepare()) {
        deviceBell.ring();
      }
      while (tx.outstanding() > 0) {
        int c;
        while ((c = tx.pollUsed()) >= 0) {
          if (c != fifo[fifoHead & (n - 1)]) {
            throw new BenchFailure("raw one-way: completions out of order while draining");
          }
          fifoHead++;
          reclaimed++;
        }
        if (c == SplitQueueDriver.BROKEN) {
          throw new BenchFailure("raw one-way: " + tx.violation().getMessage());
        }
        long now = System.nanoTime();
        if (tx.outstanding() > 0) {
          idle.idle(used, now);
        }
        drain.check(now, reclaimed);
      }
      if (reclaimed != seq + 1) {
        throw new BenchFailure("raw one-way: sent " + (seq + 1) + " (with END) but " + reclaimed + " came back");
      }
      Result res = new Result(f);
      res.interval(r1 - r0, t1 - t0);
      res.driverAllocPerMsg = (double) (a1 - a0) / Math.max(1, r1 - r0);
      res.driverParks = idle.parks();
      res.sent = seq;
      return res;
    }

    /**
     * Round trip: one message at a time on queue 1; the device writes it back into one of the
     * device-writable buffers posted on queue 0; the driver waits for it, checks it, re-posts the
     * buffer, and sends the next.
     */
    Result roundTrip(Figure f, long warmupNanos, long measureNanos, long spinNanos, PeerJvm peer) {
      final int len = f.payload();
      final boolean park = f.mode().equals("futex");
      RawIdle idle = new RawIdle(park, spinNanos, irq);
      RawIdle.Notifications echoes = notifications(rx);
      int[] free = new int[n];
      int freeCount = n;
      for (int i = 0; i < n; i++) {
        free[i] = n - 1 - i;
      }
      int[] posted = new int[n]; // rx buffers in the order posted: the device fills them in order
      int postedHead = 0;
      int postedTail = 0;
      for (int i = 0; i < n; i++) {
        rx.addBuffer(rxBuffers + (long) i * bufferSize, bufferSize, true, i);
        posted[postedTail++ & (n - 1)] = i;
      }
      if (rx.kickPrepare()) {
        deviceBell.ring();
      }
      Histogram hist = new Histogram(60_000_000_000L, 3);
      long[] me = {Thread.currentThread().threadId()};
      Stall stall = new Stall("raw round-trip driver", peer);
      long seq = 0;
      int type = Msg.WARMUP;
      long start = System.nanoTime();
      long warmEnd = start + warmupNanos;
      long measureEnd = warmEnd + measureNanos;
      long t0 = 0;
      long s0 = 0;
      long a0 = 0;
      long now;
      Result res = new Result(f);
      while (true) {
        int c;
        while ((c = tx.pollUsed()) >= 0) {
          free[freeCount++] = c;
        }
        if (c == SplitQueueDriver.BROKEN) {
          throw new BenchFailure("raw round trip: " + tx.violation().getMessage());
        }
        if (freeCount == 0) {
          throw new BenchFailure("raw round trip: no free send buffer with one message in flight: " + tx);
        }
        int last = type == Msg.END ? 1 : 0;
        int b = free[--freeCount];
        long off = txBuffers + (long) b * bufferSize;
        long sent = System.nanoTime();
        Msg.write(seg, off, len, seq, type);
        tx.addBuffer(off, len, false, b);
        if (tx.kickPrepare()) {
          deviceBell.ring();
        }
        if (last == 1) {
          break;
        }
        while ((c = rx.pollUsed()) == SplitQueueDriver.EMPTY) {
          now = System.nanoTime();
          idle.idle(echoes, now);
          stall.check(now, seq);
        }
        idle.reset();
        if (c == SplitQueueDriver.BROKEN) {
          throw new BenchFailure("raw round trip: " + rx.violation().getMessage());
        }
        long roff = rxBuffers + (long) c * bufferSize;
        int rlen = (int) rx.lastUsedLen();
        int code = Msg.check(seg, roff, rlen, len, seq);
        if (code != Msg.OK || c != posted[postedHead & (n - 1)]) {
          throw new BenchFailure("raw round trip, echo in buffer " + c + " (expected " + posted[postedHead & (n - 1)]
              + "): " + (code != Msg.OK ? Msg.describe(code, seg, roff, rlen, len, seq) : "out of order"));
        }
        postedHead++;
        now = System.nanoTime();
        if (type == Msg.MEASURE) {
          hist.recordValue(Math.min(now - sent, hist.getHighestTrackableValue()));
        }
        rx.addBuffer(rxBuffers + (long) c * bufferSize, bufferSize, true, c);
        posted[postedTail++ & (n - 1)] = c;
        if (rx.kickPrepare()) {
          deviceBell.ring();
        }
        seq++;
        if (type == Msg.WARMUP && now >= warmEnd) {
          type = Msg.MEASURE;
          t0 = now;
          s0 = seq;
          Cpu.start();
          a0 = Alloc.bytes(me);
        } else if (type == Msg.MEASURE && now >= measureEnd) {
          long a1 = Alloc.bytes(me);
          Cpu.end();
          type = Msg.END; // the loop goes round once more to send END (its seq = round trips done)
          long count = seq - s0;
          if (hist.getTotalCount() != count) {
            throw new BenchFailure("raw round trip: " + hist.getTotalCount() + " samples for " + count + " round trips");
          }
          res.interval(count, now - t0);
          res.latencies(hist);
          res.driverAllocPerMsg = (double) (a1 - a0) / Math.max(1, count);
          res.sent = seq;
        }
      }
      // Wait for the END chain to come back.
      Stall drain = new Stall("raw round-trip driver (draining)", peer);
      while (tx.outstanding() > 0) {
        int c = tx.pollUsed();
        if (c == SplitQueueDriver.BROKEN) {
          throw new BenchFailure("raw round trip: " + tx.violation().getMessage());
        }
        now = System.nanoTime();
        drain.check(now, tx.outstanding());
        Thread.onSpinWait();
      }
      res.driverParks = idle.parks();
      return res;
    }

    @Override
    public void close() {
      irq.close();
      region.close();
      region.unlink();
    }
  }

  static RawIdle.Notifications notifications(SplitQueueDriver q) {
    return new RawIdle.Notifications() {
      @Override
      public boolean enable() {
        return q.enableCallbacks();
      }

      @Override
      public void disable() {
        q.disableCallbacks();
      }
    };
  }

  static RawIdle.Notifications notifications(Vringh q) {
    return new RawIdle.Notifications() {
      @Override
      public boolean enable() {
        return q.enableNotify();
      }

      @Override
      public void disable() {
        q.disableNotify();
      }
    };
  }

  // =============================================================================================
  // Device side (peer process).

  /** The peer's end of a raw figure; returns the line it reports ({@code DONE ...}). */
  static String device(String kind, String mode, int len, Path file, int n, int bufferSize, long spinNanos) {
    try (SharedRegion region = SharedRegion.open(file);
        FutexInterruptSource irq = new FutexInterruptSource(region.segment(), ShmLinkLayout.DEVICE_DOORBELL_OFFSET)) {
      MemorySegment seg = region.segment();
      FutexDoorbell driverBell = new FutexDoorbell(seg, ShmLinkLayout.DRIVER_DOORBELL_OFFSET);
      Vringh q0 = deviceQueue(seg, 0, n);
      Vringh q1 = deviceQueue(seg, 1, n);
      RawIdle idle = new RawIdle(mode.equals("futex"), spinNanos, irq);
      Peer.ready();
      return kind.equals("rtt")
          ? deviceRoundTrip(seg, q0, q1, driverBell, idle, len)
          : deviceOneWay(seg, q1, driverBell, idle, len);
    }
  }

  private static String deviceOneWay(MemorySegment seg, Vringh q1, FutexDoorbell driverBell, RawIdle idle, int len) {
    Chain chain = q1.newChain();
    RawIdle.Notifications avail = notifications(q1);
    long expected = 0;
    long measured = 0;
    long a0 = -1;
    long[] me = {Thread.currentThread().threadId()};
    Stall stall = new Stall("raw one-way device", null);
    while (true) {
      int got = 0;
      boolean end = false;
      int r;
      while (got < BATCH && (r = q1.getAvail(chain)) == Vringh.GOT_CHAIN) {
        long off = chain.readableOffset(0);
        int rlen = chain.readableLength(0);
        if (chain.readableCount() != 1 || chain.writableCount() != 0) {
          throw new BenchFailure("raw one-way device: unexpected chain shape " + chain.readableCount() + "r/"
              + chain.writableCount() + "w");
        }
        int code = Msg.check(seg, off, rlen, len, expected);
        if (code != Msg.OK) {
          throw new BenchFailure("raw one-way device: " + Msg.describe(code, seg, off, rlen, len, expected));
        }
        int type = Msg.type(seg, off);
        if (type == Msg.MEASURE) {
          if (a0 < 0) {
            Cpu.start();
            a0 = Alloc.bytes(me);
          }
          measured++;
        }
        q1.addUsed(chain.head(), 0);
        got++;
        if (type == Msg.END) {
          end = true;
          break;
        }
        expected++;
      }
      if (q1.isBroken()) {
        throw new BenchFailure("raw one-way device: " + q1.violation().getMessage());
      }
      long now = System.nanoTime();
      if (got > 0) {
        q1.publishUsed();
        if (q1.needNotify()) {
          driverBell.ring();
        }
        idle.reset();
        if (end) {
          long a1 = Alloc.bytes(me);
          Cpu.end();
          return "DONE count=" + expected + " measured=" + measured + " alloc=" + (a0 < 0 ? 0 : a1 - a0)
              + " parks=" + idle.parks();
        }
      } else {
        idle.idle(avail, now);
      }
      stall.check(now, expected);
    }
  }

  private static String deviceRoundTrip(MemorySegment seg, Vringh q0, Vringh q1, FutexDoorbell driverBell,
      RawIdle idle, int len) {
    Chain in = q1.newChain();
    Chain out = q0.newChain();
    RawIdle.Notifications avail = notifications(q1);
    long expected = 0;
    long measured = 0;
    long a0 = -1;
    long[] me = {Thread.currentThread().threadId()};
    Stall stall = new Stall("raw round-trip device", null);
    while (true) {
      int r = q1.getAvail(in);
      long now;
      if (r == Vringh.GOT_CHAIN) {
        idle.reset();
        long off = in.readableOffset(0);
        int rlen = in.readableLength(0);
        int code = Msg.check(seg, off, rlen, len, expected);
        if (code != Msg.OK) {
          throw new BenchFailure("raw round-trip device: " + Msg.describe(code, seg, off, rlen, len, expected));
        }
        int type = Msg.type(seg, off);
        if (type == Msg.END) {
          q1.addUsed(in.head(), 0);
          q1.publishUsed();
          if (q1.needNotify()) {
            driverBell.ring();
          }
          long a1 = Alloc.bytes(me);
          Cpu.end();
          return "DONE count=" + expected + " measured=" + measured + " alloc=" + (a0 < 0 ? 0 : a1 - a0)
              + " parks=" + idle.parks();
        }
        if (type == Msg.MEASURE) {
          if (a0 < 0) {
            Cpu.start();
            a0 = Alloc.bytes(me);
          }
          measured++;
        }
        // Echo into the next buffer the driver posted on queue 0 (it keeps them all posted).
        int r0;
        Stall wait = null;
        while ((r0 = q0.getAvail(out)) == Vringh.EMPTY) {
          if (wait == null) {
            wait = new Stall("raw round-trip device waiting for a queue-0 buffer", null);
          }
          Thread.onSpinWait();
          wait.check(System.nanoTime(), 0);
        }
        if (r0 != Vringh.GOT_CHAIN) {
          throw new BenchFailure("raw round-trip device: " + q0.violation().getMessage());
        }
        if (out.writableCount() != 1 || out.writableLength(0) < rlen) {
          throw new BenchFailure("raw round-trip device: queue-0 chain cannot hold " + rlen + " bytes");
        }
        MemorySegment.copy(seg, off, seg, out.writableOffset(0), rlen);
        q0.addUsed(out.head(), rlen);
        q0.publishUsed();
        if (q0.needNotify()) {
          driverBell.ring();
        }
        // Then complete the request chain (the driver reclaims send buffers lazily).
        q1.addUsed(in.head(), 0);
        q1.publishUsed();
        expected++;
        now = System.nanoTime();
      } else if (r == Vringh.EMPTY) {
        now = System.nanoTime();
        idle.idle(avail, now);
      } else {
        throw new BenchFailure("raw round-trip device: " + q1.violation().getMessage());
      }
      stall.check(now, expected);
    }
  }
}
