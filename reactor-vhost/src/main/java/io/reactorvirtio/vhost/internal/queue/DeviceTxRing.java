package io.reactorvirtio.vhost.internal.queue;

import io.reactorvirtio.vhost.internal.vringh.Chain;
import io.reactorvirtio.vhost.internal.vringh.Vringh;
import io.reactorvirtio.virtio.BufferWriter;
import io.reactorvirtio.virtio.RingViolation;
import io.reactorvirtio.virtio.VirtioException;
import io.reactorvirtio.virtio.internal.queue.SendRing;
import io.reactorvirtio.virtio.internal.queue.SpinLock;
import io.reactorvirtio.virtio.spi.Doorbell;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * Device side, outbound: writes each message into the next device-writable chain the driver posted
 * (one buffer each) and completes it. Credit is the number of chains the driver made available.
 * The writer runs under the queue lock so that a failing write can abandon its chain untouched.
 */
public final class DeviceTxRing implements SendRing {

  private Vringh ring;
  private Chain chain;
  private final Doorbell doorbell;
  private final int maxMessageSize;
  private final MemorySegment[] slices;
  private final long[] sliceOffsets;
  /** Detached from the ring until the next {@link #reattach}: touches no ring memory. */
  private boolean suspended;
  private final int sliceShift;
  private final SpinLock lock = new SpinLock();

  public DeviceTxRing(Vringh ring, Doorbell doorbell, int maxMessageSize) {
    this.ring = ring;
    this.chain = ring.newChain();
    this.doorbell = doorbell;
    this.maxMessageSize = maxMessageSize;
    int cache = Integer.highestOneBit(Math.max(2, ring.size()) * 4 - 1); // >= 2 x queue size, a power of two
    this.slices = new MemorySegment[cache];
    this.sliceOffsets = new long[cache];
    this.sliceShift = 64 - Integer.numberOfTrailingZeros(cache);
  }

  @Override
  public String name() {
    return ring.name();
  }

  @Override
  public int credit() {
    lock.lock();
    try {
      return suspended || ring.isBroken() ? 0 : ring.pendingAvail();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public <T> int write(T item, BufferWriter<T> writer) {
    lock.lock();
    try {
      if (suspended || ring.getAvail(chain) != Vringh.GOT_CHAIN) {
        return -1;
      }
      int head = chain.head();
      if (chain.writableCount() != 1 || chain.readableCount() != 0) {
        ring.latch().latch(RingViolation.WRONG_DIRECTION, "chain " + head + " readable/writable buffers",
            chain.readableCount() * 1000L + chain.writableCount());
        return -1;
      }
      MemorySegment buffer = slice(chain.writableOffset(0), chain.writableLength(0));
      int len;
      try {
        len = writer.write(item, buffer);
      } catch (RuntimeException e) {
        ring.abandon(chain);
        throw e;
      }
      ring.addUsed(head, len);
      ring.publishUsed();
      return len;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The chain's buffer as a slice, cached by its place in the window (a direct-mapped table keyed
   * by offset): a driver posts the same buffers again and again, though not always under the same
   * descriptor head, so after warm-up a write allocates no slice (and layers above that cache
   * per-buffer views, such as rpmsg's payload views, keep hitting).
   */
  private MemorySegment slice(long offset, int length) {
    int i = (int) ((offset * 0x9E3779B97F4A7C15L) >>> sliceShift);
    MemorySegment s = slices[i];
    if (s == null || sliceOffsets[i] != offset || s.byteSize() != length) {
      s = chain.window().asSlice(offset, length);
      slices[i] = s;
      sliceOffsets[i] = offset;
    }
    return s;
  }

  /** The driver is resetting the rings (or the link is down): stop touching them until {@link #reattach}. */
  public void suspend() {
    lock.lock();
    try {
      suspended = true;
    } finally {
      lock.unlock();
    }
  }

  /** The driver reset the rings (new generation): attach to them afresh. */
  public void reattach(Vringh fresh) {
    lock.lock();
    try {
      suspended = false;
      ring = fresh;
      chain = fresh.newChain();
      java.util.Arrays.fill(slices, null);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void flush() {
    boolean kick;
    lock.lock();
    try {
      kick = !suspended && ring.needNotify();
    } finally {
      lock.unlock();
    }
    if (kick) {
      doorbell.ring();
    }
  }

  @Override
  public boolean enableNotifications() {
    lock.lock();
    try {
      return !suspended && ring.enableNotify();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void disableNotifications() {
    lock.lock();
    try {
      if (!suspended) {
        ring.disableNotify();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int maxMessageSize() {
    return maxMessageSize;
  }

  @Override
  public @Nullable VirtioException error() {
    return ring.isBroken() ? ring.violation() : null;
  }

  @Override
  public String toString() {
    return ring.name();
  }
}
