package io.reactorvirtio.virtio.notify;

import static io.reactorvirtio.virtio.notify.FutexDoorbellLayout.INT;

import io.reactorvirtio.virtio.internal.nativeio.Futex;
import io.reactorvirtio.virtio.spi.Doorbell;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rings a futex doorbell (see {@link FutexDoorbellLayout}) in shared memory: increments {@code
 * seq} and, if the owning poller is armed, issues {@code FUTEX_WAKE} (shared, so it reaches other
 * processes mapping the same file).
 *
 * <p>Never blocks, allocates nothing, callable from any thread of any process.
 */
public final class FutexDoorbell implements Doorbell {

  private final MemorySegment segment;
  private final long seqOffset;
  private final long waitersOffset;
  private final AtomicLong rings = new AtomicLong();
  private final AtomicLong wakes = new AtomicLong();

  /**
   * @param segment a native segment, normally a {@code MAP_SHARED} file mapping
   * @param offset where the 8-byte doorbell starts; 4-byte aligned
   * @throws IllegalArgumentException if the doorbell does not fit or is misaligned
   */
  public FutexDoorbell(MemorySegment segment, long offset) {
    FutexDoorbellLayout.check(segment, offset);
    this.segment = segment;
    this.seqOffset = offset + FutexDoorbellLayout.SEQ_OFFSET;
    this.waitersOffset = offset + FutexDoorbellLayout.WAITERS_OFFSET;
  }

  /**
   * Increments {@code seq} (atomic, full fence), then wakes the poller if it is armed.
   *
   * @throws io.reactorvirtio.virtio.internal.nativeio.NativeException if {@code FUTEX_WAKE} fails
   *     (e.g. {@code EFAULT} on a device mapping)
   * @throws IllegalStateException if the segment was unmapped
   */
  @Override
  public void ring() {
    int unused = (int) INT.getAndAdd(segment, seqOffset, 1);
    rings.incrementAndGet();
    if ((int) INT.getVolatile(segment, waitersOffset) != 0) {
      wakes.incrementAndGet();
      if (Futex.wake(segment, seqOffset, Integer.MAX_VALUE) < 0) {
        throw Futex.wakeFailure(segment, seqOffset);
      }
    }
  }

  /** How many times {@link #ring()} was called on this object. */
  public long rings() {
    return rings.get();
  }

  /** How many of those rings found the poller armed and issued a {@code FUTEX_WAKE}. */
  public long wakes() {
    return wakes.get();
  }

  @Override
  public String toString() {
    return "FutexDoorbell[offset " + seqOffset + ", rings " + rings() + ", wakes " + wakes() + "]";
  }
}
