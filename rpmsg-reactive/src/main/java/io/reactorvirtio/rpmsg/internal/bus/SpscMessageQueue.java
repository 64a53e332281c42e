package io.reactorvirtio.rpmsg.internal.bus;

import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Bounded single-producer single-consumer array queue (the poller thread produces; the endpoint's
 * serialized drain consumes). Allocation-free after construction.
 */
final class SpscMessageQueue {

  private final PooledMessage[] slots;
  private final int mask;
  private final AtomicLong head = new AtomicLong(); // next to take (consumer)
  private final AtomicLong tail = new AtomicLong(); // next to fill (producer)

  SpscMessageQueue(int capacity) {
    int n = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
    this.slots = new PooledMessage[n];
    this.mask = n - 1;
  }

  int capacity() {
    return slots.length;
  }

  /** Producer only. False when full. */
  boolean offer(PooledMessage m) {
    long t = tail.get();
    if (t - head.get() >= slots.length) {
      return false;
    }
    slots[(int) t & mask] = m;
    tail.lazySet(t + 1); // release: the slot write before the new tail
    return true;
  }

  /** Consumer only. */
  @Nullable PooledMessage poll() {
    long h = head.get();
    if (h == tail.get()) { // acquire: pairs with offer's release
      return null;
    }
    int i = (int) h & mask;
    PooledMessage m = slots[i];
    slots[i] = null;
    head.lazySet(h + 1);
    return m;
  }

  int size() {
    long h = head.get();
    return (int) (tail.get() - h);
  }
}
