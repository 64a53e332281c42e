package io.reactorvirtio.virtio.internal.queue;

import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.VirtioException;
import io.reactorvirtio.virtio.internal.ring.SplitQueueDriver;
import io.reactorvirtio.virtio.spi.Doorbell;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Driver side, inbound: a fixed pool of device-writable buffers (buffer {@code i} at
 * {@code bufferBus + i·bufferSize}). A buffer is either posted in the ring, lent to the subscriber,
 * or idle; buffers are posted only up to the subscriber's outstanding demand, so demand is the
 * device's credit.
 */
public final class DriverRxRing implements ReceiveRing, LeaseOwner {

  private final SplitQueueDriver ring;
  private final Doorbell doorbell;
  private final MemorySegment window;
  private final long bufferOffset;
  private final long bufferBus;
  private final int bufferSize;
  private final int buffers;
  private final BufferLease[] leases;
  private final int[] idle;
  private final SpinLock lock = new SpinLock();
  private final AtomicInteger leased = new AtomicInteger();
  private int idleCount;
  private int posted;
  private long target;

  /**
   * @param bufferOffset window-segment offset of buffer 0
   * @param bufferBus bus address of buffer 0 (what descriptors carry)
   */
  public DriverRxRing(SplitQueueDriver ring, Doorbell doorbell, MemorySegment window, long bufferOffset,
      long bufferBus, int bufferSize) {
    this.ring = ring;
    this.doorbell = doorbell;
    this.window = window;
    this.bufferOffset = bufferOffset;
    this.bufferBus = bufferBus;
    this.bufferSize = bufferSize;
    this.buffers = ring.size();
    this.leases = new BufferLease[buffers];
    this.idle = new int[buffers];
    for (int i = 0; i < buffers; i++) {
      leases[i] = new BufferLease(this, i);
      idle[buffers - 1 - i] = i;
    }
    this.idleCount = buffers;
  }

  @Override
  public String name() {
    return ring.name();
  }

  @Override
  public boolean replenish(long demand) {
    boolean kick;
    lock.lock();
    try {
      target = demand;
      if (!postIdle()) {
        return false;
      }
      kick = ring.kickPrepare();
    } finally {
      lock.unlock();
    }
    if (kick) {
      doorbell.ring();
    }
    return true;
  }

  /** Posts idle buffers while fewer than {@code target} are posted. Lock held. */
  private boolean postIdle() {
    boolean any = false;
    while (idleCount > 0 && posted < target) {
      int b = idle[--idleCount];
      int r = ring.addBuffer(bufferBus + (long) b * bufferSize, bufferSize, true, b);
      if (r < 0) {
        idle[idleCount++] = b;
        break;
      }
      posted++;
      any = true;
    }
    return any;
  }

  @Override
  public @Nullable BufferLease take() {
    int b;
    long len;
    lock.lock();
    try {
      b = ring.pollUsed();
      if (b < 0) {
        return null;
      }
      len = ring.lastUsedLen();
      posted--;
    } finally {
      lock.unlock();
    }
    leased.incrementAndGet();
    return leases[b].acquire(window, bufferOffset + (long) b * bufferSize, (int) len);
  }

  @Override
  public void release(BufferLease lease) {
    boolean kick = false;
    lock.lock();
    try {
      if (leases[lease.slot()] != lease) {
        return; // a lease from before a reset: its buffer was reclaimed then
      }
      leased.decrementAndGet();
      idle[idleCount++] = lease.slot();
      if (posted < target && postIdle()) {
        kick = ring.kickPrepare();
      }
    } finally {
      lock.unlock();
    }
    if (kick) {
      doorbell.ring();
    }
  }

  /**
   * Device reset (the peer died): zeroes the ring, takes every buffer back (leases still held are
   * orphaned: their release is ignored), posts nothing until there is demand again.
   */
  public void reset() {
    lock.lock();
    try {
      ring.reset();
      for (int i = 0; i < buffers; i++) {
        leases[i] = new BufferLease(this, i);
        idle[buffers - 1 - i] = i;
      }
      idleCount = buffers;
      posted = 0;
      target = 0;
      leased.set(0);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean enableNotifications() {
    lock.lock();
    try {
      return ring.enableCallbacks();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void disableNotifications() {
    lock.lock();
    try {
      ring.disableCallbacks();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void flush() {
    // Buffers are re-posted (and kicked) as they are released.
  }

  @Override
  public @Nullable VirtioException error() {
    return ring.isBroken() ? ring.violation() : null;
  }

  @Override
  public int outstandingLeases() {
    return leased.get();
  }

  @Override
  public String toString() {
    return ring.name();
  }
}
