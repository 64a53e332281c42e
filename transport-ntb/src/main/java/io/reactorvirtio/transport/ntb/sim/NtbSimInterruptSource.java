package io.reactorvirtio.transport.ntb.sim;

import static io.reactorvirtio.transport.ntb.sim.NtbSimFile.U32;

import io.reactorvirtio.virtio.notify.FutexInterruptSource;
import io.reactorvirtio.virtio.spi.InterruptSource;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The interrupt of one simulated NTB port: a {@link FutexInterruptSource} on the port's futex
 * doorbell (so a ring from another process wakes a parked poller), plus the doorbell latch. Each
 * time the poller returns from {@link #await} or calls {@link #disarm()}, the source reads the
 * port's unmasked {@code db} bits and clears exactly those (atomic {@code getAndBitwiseAnd}), as an
 * NTB interrupt handler does with {@code db_read}/{@code db_clear}; bits set meanwhile stay latched
 * for the next round.
 *
 * <p>The wake-up itself comes from the futex event count, never from the bits, so no ring is lost
 * between {@link #arm()} and parking. {@link #lastBits()}, {@link #consumedBits()} and {@link
 * #batches()} say which doorbell bits (queues) were seen, for diagnostics and tests.
 */
public final class NtbSimInterruptSource implements InterruptSource {

  private final MemorySegment segment;
  private final long dbOffset;
  private final long maskOffset;
  private final FutexInterruptSource futex;
  private final AtomicInteger consumed = new AtomicInteger();
  private final AtomicLong batches = new AtomicLong();
  private volatile int lastBits;

  NtbSimInterruptSource(MemorySegment segment, int port) {
    this.segment = segment;
    this.dbOffset = NtbSimLayout.port(port, NtbSimLayout.DB);
    this.maskOffset = NtbSimLayout.port(port, NtbSimLayout.DB_MASK);
    this.futex = new FutexInterruptSource(segment, NtbSimLayout.port(port, NtbSimLayout.DOORBELL));
  }

  @Override
  public int arm() {
    return futex.arm();
  }

  /** Parks on the futex doorbell (see {@link FutexInterruptSource#await}), then consumes {@code db}. */
  @Override
  public void await(int token, long timeoutNanos) {
    try {
      futex.await(token, timeoutNanos);
    } finally {
      consume();
    }
  }

  /** Withdraws the arm and consumes {@code db}. */
  @Override
  public void disarm() {
    futex.disarm();
    consume();
  }

  @Override
  public void wakeLocal() {
    futex.wakeLocal();
  }

  @Override
  public void close() {
    futex.close();
  }

  /** The doorbell bits the most recent non-empty batch cleared (bit q = queue q); 0 before any. */
  public int lastBits() {
    return lastBits;
  }

  /** The OR of every doorbell bit this source has cleared so far. */
  public int consumedBits() {
    return consumed.get();
  }

  /** How many times this source found and cleared a non-empty set of bits. */
  public long batches() {
    return batches.get();
  }

  /**
   * Reads the unmasked latched bits and clears exactly those; returns them (0 if none). Called by
   * {@link #await} and {@link #disarm()}; callable by the poller thread at any time.
   */
  public int consume() {
    int bits = (int) U32.getAcquire(segment, dbOffset) & ~(int) U32.getAcquire(segment, maskOffset);
    if (bits == 0) {
      return 0;
    }
    int before = (int) U32.getAndBitwiseAnd(segment, dbOffset, ~bits);
    int cleared = before & bits; // only this poller clears, so before ⊇ bits; kept exact anyway
    lastBits = cleared;
    consumed.getAndAccumulate(cleared, (a, b) -> a | b);
    batches.incrementAndGet();
    return cleared;
  }

  @Override
  public String toString() {
    return "NtbSimInterruptSource[db 0x" + Long.toHexString(dbOffset) + ", last 0x"
        + Integer.toHexString(lastBits) + ", batches " + batches() + "]";
  }
}
