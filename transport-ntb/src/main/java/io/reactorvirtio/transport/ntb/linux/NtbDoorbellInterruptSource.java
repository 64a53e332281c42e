package io.reactorvirtio.transport.ntb.linux;

import io.reactorvirtio.virtio.spi.InterruptSource;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * An {@link InterruptSource} over the local NTB doorbell register as ntb_tool shows it: debugfs has
 * no blocking read of {@code db} (only {@code db_event}, which blocks until {@code db} <em>equals</em>
 * a value and so cannot wait for "any bit"), so {@link #await} polls {@code db} every poll interval
 * — default {@link #DEFAULT_POLL_INTERVAL 1 ms} — and clears the bits it saw with {@code "c
 * <bits>"}.
 *
 * <p>Event-count protocol: {@link #arm()} returns the number of doorbell batches seen so far;
 * {@link #await} returns at once if that number moved, otherwise it polls until bits of interest
 * appear, the timeout passes, or {@link #wakeLocal()} is called. {@code wakeLocal} sets a flag and
 * unparks the waiting thread, so a local wake is immediate rather than one interval late.
 *
 * <p>{@code ntb_hw_epf} quirk (FACTS §5.5): its {@code db_read} returns the last vector + 1 rather
 * than a bit mask; this source then reports an interrupt for any non-zero value it is interested
 * in. Cost: one open/read/close of a debugfs file per interval while parked.
 */
public final class NtbDoorbellInterruptSource implements InterruptSource {

  /** The default polling interval: 1 ms (the RFC's EP polling period). */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(1);

  private final NtbToolPort port;
  private final long bits;
  private final long intervalNanos;
  private final AtomicInteger batches = new AtomicInteger();
  private volatile boolean woken;
  private volatile @Nullable Thread waiter;
  private volatile boolean closed;
  private volatile long lastBits;

  /**
   * @param port the ntb_tool device
   * @param bits the doorbell bits this source handles and clears (non-zero)
   * @param pollInterval how often {@link #await} reads {@code db}; positive
   */
  NtbDoorbellInterruptSource(NtbToolPort port, long bits, Duration pollInterval) {
    if (bits == 0) {
      throw new IllegalArgumentException("the doorbell bit mask must not be 0");
    }
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("poll interval must be positive: " + pollInterval);
    }
    this.port = port;
    this.bits = bits;
    this.intervalNanos = pollInterval.toNanos();
  }

  /** The doorbell bits handled. */
  public long bits() {
    return bits;
  }

  /** The polling interval. */
  public Duration pollInterval() {
    return Duration.ofNanos(intervalNanos);
  }

  /** The bits cleared by the most recent batch (for diagnostics: which queues were rung). */
  public long lastBits() {
    return lastBits;
  }

  /** The number of doorbell batches seen so far. */
  @Override
  public int arm() {
    return batches.get();
  }

  /**
   * Polls {@code db} until a bit of interest is set (then clears those bits with {@code "c
   * <bits>"} and returns), {@link #wakeLocal()} is called, or the timeout passes.
   *
   * @throws NtbToolException if {@code db} cannot be read or cleared
   */
  @Override
  public void await(int token, long timeoutNanos) {
    if (closed || batches.get() != token) {
      return;
    }
    long deadline = timeoutNanos < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
    waiter = Thread.currentThread();
    try {
      while (!closed) {
        if (woken) {
          woken = false;
          return;
        }
        long pending = port.db() & bits;
        if (pending != 0) {
          port.clearDb(pending);
          lastBits = pending;
          batches.incrementAndGet();
          return;
        }
        long left = timeoutNanos < 0 ? intervalNanos : deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        LockSupport.parkNanos(this, Math.min(intervalNanos, left));
      }
    } finally {
      waiter = null;
    }
  }

  /** Nothing to withdraw (the counter is only advanced inside {@link #await}). */
  @Override
  public void disarm() {}

  /** Sets the wake flag and unparks a thread in {@link #await}. */
  @Override
  public void wakeLocal() {
    woken = true;
    Thread t = waiter;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  /** Stops a waiting {@link #await}; holds no descriptors. */
  @Override
  public void close() {
    closed = true;
    wakeLocal();
  }

  @Override
  public String toString() {
    return "NtbDoorbellInterruptSource[" + port.device() + ", bits 0x" + Long.toHexString(bits)
        + ", every " + pollInterval() + "]";
  }
}
