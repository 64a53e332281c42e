package io.reactorvirtio.virtio;

import io.reactorvirtio.virtio.internal.queue.LeaseOwner;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A received buffer, lent zero-copy from the ring: its bytes stay in shared memory until
 * {@link #release()} gives the buffer back to the ring. Received leases must be released exactly
 * once; {@link #release()} is idempotent for the message it was handed out with.
 *
 * <pre>{@code
 * queue.receive()
 *      .doOnNext(lease -> { process(lease.data()); lease.release(); })
 *      .subscribe();
 * }</pre>
 *
 * <p>Lease objects are pooled, one per ring buffer, so that steady state allocates nothing: do not
 * keep a reference after releasing it (as with Netty's pooled buffers). {@link #data()} is valid
 * until then.
 */
public final class BufferLease {

  private static final int FREE = 0;
  private static final int HELD = 1;

  private final LeaseOwner owner;
  private final int slot;
  private final AtomicInteger state = new AtomicInteger(FREE);
  private MemorySegment base = MemorySegment.NULL;
  private long offset;
  private int length;
  private MemorySegment view = MemorySegment.NULL;
  private long viewOffset = -1;
  private int viewLength = -1;

  /** For queue implementations. */
  public BufferLease(LeaseOwner owner, int slot) {
    this.owner = owner;
    this.slot = slot;
  }

  /** For queue implementations: hands the lease out for a new message. */
  public BufferLease acquire(MemorySegment base, long offset, int length) {
    if (!state.compareAndSet(FREE, HELD)) {
      throw new IllegalStateException("lease " + slot + " of " + owner + " handed out twice");
    }
    this.base = base;
    this.offset = offset;
    this.length = length;
    return this;
  }

  /** The ring slot (buffer or chain head) this lease stands for. */
  public int slot() {
    return slot;
  }

  /** Message length in bytes. */
  public int length() {
    return length;
  }

  /**
   * The message bytes, a view into shared memory. Cached per slot: allocates only when the ring
   * puts this slot at a different place than last time.
   */
  public MemorySegment data() {
    if (viewOffset != offset || viewLength != length || view.scope() != base.scope()) {
      view = base.asSlice(offset, length);
      viewOffset = offset;
      viewLength = length;
    }
    return view;
  }

  /** Copies the message into {@code dst} at {@code dstOffset} without creating a view. */
  public void copyTo(MemorySegment dst, long dstOffset) {
    MemorySegment.copy(base, offset, dst, dstOffset, length);
  }

  /** A copy of the message bytes (allocates). */
  public byte[] toByteArray() {
    byte[] out = new byte[length];
    MemorySegment.copy(base, java.lang.foreign.ValueLayout.JAVA_BYTE, offset, out, 0, length);
    return out;
  }

  /** The message decoded as UTF-8 (allocates). */
  public String toUtf8() {
    return new String(toByteArray(), StandardCharsets.UTF_8);
  }

  /** Whether this lease is currently handed out. */
  public boolean isHeld() {
    return state.get() == HELD;
  }

  /**
   * Gives the buffer back to the ring. Idempotent; a no-op once the link is closed (the ring is
   * gone with it).
   */
  public void release() {
    if (state.compareAndSet(HELD, FREE)) {
      if (!base.scope().isAlive()) {
        return;
      }
      try {
        owner.release(this);
      } catch (IllegalStateException e) {
        if (base.scope().isAlive()) {
          throw e;
        }
        // The link's memory was unmapped while we released: nothing left to give back to.
      }
    }
  }

  @Override
  public String toString() {
    return "BufferLease[" + owner + " slot " + slot + ", " + length + " bytes" + (isHeld() ? "" : ", released") + "]";
  }
}
