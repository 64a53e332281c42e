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
  private final SpinLock lock = new SpinLock();

  public DeviceTxRing(Vringh ring, Doorbell doorbell, int maxMessageSize) {
    this.ring = ring;
    this.chain = ring.newChain();
    this.doorbell = doorbell;
    this.maxMessageSize = maxMessageSize;
    this.slices = new MemorySegment[ring.size()];
    this.sliceOffsets = new long[ring.size()];
  }

  @Override
  public String name() {
    return ring.name();
  }

  @Override
  public int credit() {
    lock.lock();
    try {
      return ring.isBroken() ? 0 : ring.pendingAvail();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public <T> int write(T item, BufferWriter<T> writer) {
    lock.lock();
    try {
      if (ring.getAvail(chain) != Vringh.GOT_CHAIN) {
        return -1;
      }
      int head = chain.head();
      if (chain.writableCount() != 1 || chain.readableCount() != 0) {
        ring.latch().latch(RingViolation.WRONG_DIRECTION, "chain " + head + " readable/writable buffers",
            chain.readableCount() * 1000L + chain.writableCount());
        return -1;
      }
      MemorySegment buffer = slice(head, chain.writableOffset(0), chain.writableLength(0));
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

  /** The chain's buffer as a slice, cached per head while the driver keeps it in place. */
  private MemorySegment slice(int head, long offset, int length) {
    MemorySegment s = slices[head];
    if (s == null || sliceOffsets[head] != offset || s.byteSize() != length) {
      s = chain.window().asSlice(offset, length);
      slices[head] = s;
      sliceOffsets[head] = offset;
    }
    return s;
  }

  /** The driver reset the rings (new generation): attach to them afresh. */
  public void reattach(Vringh fresh) {
    lock.lock();
    try {
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
      kick = ring.needNotify();
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
      return ring.enableNotify();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void disableNotifications() {
    lock.lock();
    try {
      ring.disableNotify();
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
