package io.reactorvirtio.virtio.notify;

import static io.reactorvirtio.virtio.notify.FutexDoorbellLayout.INT;

import io.reactorvirtio.virtio.internal.nativeio.Futex;
import io.reactorvirtio.virtio.spi.InterruptSource;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * The poller's side of a futex doorbell (see {@link FutexDoorbellLayout}): parks in {@code
 * FUTEX_WAIT} on {@code seq} until a {@link FutexDoorbell} on the same memory rings it, in this or
 * another process.
 *
 * <p>{@link #arm()} sets {@code waiters} and snapshots {@code seq}; a ringer increments {@code seq}
 * before it reads {@code waiters}, so either the ringer sees the poller armed and wakes it, or the
 * poller's snapshot/re-check already sees the ring: no notification is lost. Spurious returns
 * from {@link #await} are possible (the caller re-checks its rings anyway).
 *
 * <p>{@link #arm()}, {@link #await} and {@link #disarm()} run on the poller thread only; the
 * futex waiter is created on its first {@link #await}. {@link #close()} must not run while the
 * poller is parked. Allocation-free after the first {@link #await}.
 */
public final class FutexInterruptSource implements InterruptSource {

  private final MemorySegment segment;
  private final long seqOffset;
  private final long waitersOffset;
  private final FutexDoorbell local;
  private volatile Futex.@Nullable Waiter waiter;
  private volatile boolean closed;

  /**
   * @param segment a native segment, normally a {@code MAP_SHARED} file mapping
   * @param offset where the 8-byte doorbell starts; 4-byte aligned
   * @throws IllegalArgumentException if the doorbell does not fit or is misaligned
   */
  public FutexInterruptSource(MemorySegment segment, long offset) {
    this.local = new FutexDoorbell(segment, offset);
    this.segment = segment;
    this.seqOffset = offset + FutexDoorbellLayout.SEQ_OFFSET;
    this.waitersOffset = offset + FutexDoorbellLayout.WAITERS_OFFSET;
  }

  /** The segment holding the futex word (for pollers that wait on several words at once). */
  public MemorySegment segment() {
    return segment;
  }

  /** Offset of the futex word ({@code seq}) in {@link #segment()}. */
  public long seqOffset() {
    return seqOffset;
  }

  /** Sets {@code waiters} to 1 and returns {@code seq} (both volatile: a full fence between). */
  @Override
  public int arm() {
    INT.setVolatile(segment, waitersOffset, 1);
    return (int) INT.getVolatile(segment, seqOffset);
  }

  /**
   * Waits while {@code seq == token}, for at most {@code timeoutNanos} (negative: unbounded), then
   * clears {@code waiters}. Timeouts, value changes and signals all just return.
   *
   * @throws IllegalStateException if closed
   * @throws io.reactorvirtio.virtio.internal.nativeio.NativeException if {@code FUTEX_WAIT} fails
   *     (e.g. {@code EFAULT} on a device mapping)
   */
  @Override
  public void await(int token, long timeoutNanos) {
    try {
      Futex.Waiter w = waiter;
      if (w == null) {
        if (closed) {
          throw new IllegalStateException("interrupt source is closed");
        }
        w = Futex.newWaiter();
        waiter = w;
      }
      w.await(segment, seqOffset, token, timeoutNanos);
    } finally {
      INT.setVolatile(segment, waitersOffset, 0);
    }
  }

  /** Clears {@code waiters}. */
  @Override
  public void disarm() {
    INT.setVolatile(segment, waitersOffset, 0);
  }

  /** Rings this doorbell from this process (increments {@code seq}, wakes if armed). */
  @Override
  public void wakeLocal() {
    local.ring();
  }

  /** Closes the futex waiter (if one was created); idempotent. The shared word is untouched. */
  @Override
  public void close() {
    closed = true;
    Futex.Waiter w = waiter;
    if (w != null) {
      w.close();
    }
  }

  @Override
  public String toString() {
    return "FutexInterruptSource[offset " + seqOffset + (closed ? ", closed]" : "]");
  }
}
