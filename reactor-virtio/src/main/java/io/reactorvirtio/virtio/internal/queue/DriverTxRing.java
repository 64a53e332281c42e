package io.reactorvirtio.virtio.internal.queue;

import io.reactorvirtio.virtio.BufferWriter;
import io.reactorvirtio.virtio.VirtioException;
import io.reactorvirtio.virtio.internal.ring.SplitQueueDriver;
import io.reactorvirtio.virtio.spi.Doorbell;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * Driver side, outbound: a fixed pool of device-readable buffers, one per descriptor. Writing
 * copies (or encodes) into a free buffer outside the lock, then adds it to the ring under the lock.
 * Used buffers are reclaimed lazily, when credit is asked for.
 */
public final class DriverTxRing implements SendRing {

  private final SplitQueueDriver ring;
  private final Doorbell doorbell;
  private final long bufferBus;
  private final int bufferSize;
  private final MemorySegment[] slices;
  private final int[] free;
  private final SpinLock lock = new SpinLock();
  private int freeCount;
  /** Bumped by reset(): a buffer taken before a reset belongs to the new generation's free list. */
  private int generation;

  public DriverTxRing(SplitQueueDriver ring, Doorbell doorbell, MemorySegment window, long bufferOffset,
      long bufferBus, int bufferSize) {
    this.ring = ring;
    this.doorbell = doorbell;
    this.bufferBus = bufferBus;
    this.bufferSize = bufferSize;
    int n = ring.size();
    this.slices = new MemorySegment[n];
    this.free = new int[n];
    for (int i = 0; i < n; i++) {
      slices[i] = window.asSlice(bufferOffset + (long) i * bufferSize, bufferSize);
      free[n - 1 - i] = i;
    }
    this.freeCount = n;
    // Linux keeps tx-complete callbacks off unless a sender waits for buffers.
    ring.disableCallbacks();
  }

  @Override
  public String name() {
    return ring.name();
  }

  @Override
  public int credit() {
    lock.lock();
    try {
      reclaim();
      return freeCount;
    } finally {
      lock.unlock();
    }
  }

  private void reclaim() {
    int b;
    while ((b = ring.pollUsed()) >= 0) {
      free[freeCount++] = b;
    }
  }

  @Override
  public <T> int write(T item, BufferWriter<T> writer) {
    int b;
    int taken;
    lock.lock();
    try {
      if (freeCount == 0) {
        reclaim();
        if (freeCount == 0) {
          return -1;
        }
      }
      b = free[--freeCount];
      taken = generation;
    } finally {
      lock.unlock();
    }
    int len;
    try {
      len = writer.write(item, slices[b]);
      if (len < 0 || len > bufferSize) {
        throw new IllegalStateException("writer reported " + len + " bytes for a " + bufferSize + "-byte buffer");
      }
    } catch (RuntimeException e) {
      lock.lock();
      if (taken == generation) {
        free[freeCount++] = b;
      }
      lock.unlock();
      throw e;
    }
    lock.lock();
    try {
      if (taken != generation) {
        return -1; // the ring was reset meanwhile (peer died): this buffer is the new generation's
      }
      int r = ring.addBuffer(bufferBus + (long) b * bufferSize, len, false, b);
      if (r < 0) {
        free[freeCount++] = b;
        return -1;
      }
    } finally {
      lock.unlock();
    }
    return len;
  }

  /** Device reset (the peer died): zeroes the ring and takes every buffer back. */
  public void reset() {
    lock.lock();
    try {
      generation++;
      ring.reset();
      ring.disableCallbacks();
      int n = ring.size();
      for (int i = 0; i < n; i++) {
        free[n - 1 - i] = i;
      }
      freeCount = n;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void flush() {
    boolean kick;
    lock.lock();
    try {
      kick = ring.kickPrepare();
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
  public int maxMessageSize() {
    return bufferSize;
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
