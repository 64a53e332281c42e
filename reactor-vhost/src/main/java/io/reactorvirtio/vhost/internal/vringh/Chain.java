package io.reactorvirtio.vhost.internal.vringh;

import java.lang.foreign.MemorySegment;

/**
 * One descriptor chain taken from the available ring, resolved through the window: the
 * device-readable buffers first, then the device-writable ones (vringh's riov/wiov). Reused from
 * one {@link Vringh#getAvail(Chain)} to the next; holds no reference to peer memory beyond the
 * window segment.
 */
public final class Chain {

  private final MemorySegment window;
  private final long[] offsets;
  private final int[] lengths;
  private int head = -1;
  private int readable;
  private int writable;
  private long readableBytes;
  private long writableBytes;

  Chain(MemorySegment window, int capacity) {
    this.window = window;
    this.offsets = new long[capacity];
    this.lengths = new int[capacity];
  }

  void clear() {
    head = -1;
    readable = 0;
    writable = 0;
    readableBytes = 0;
    writableBytes = 0;
  }

  void add(long offset, int length, boolean deviceWritable) {
    int i = readable + writable;
    offsets[i] = offset;
    lengths[i] = length;
    if (deviceWritable) {
      writable++;
      writableBytes += Integer.toUnsignedLong(length);
    } else {
      readable++;
      readableBytes += Integer.toUnsignedLong(length);
    }
  }

  void head(int head) {
    this.head = head;
  }

  /** The chain's head index: what {@link Vringh#addUsed(int, int)} takes. */
  public int head() {
    return head;
  }

  public int readableCount() {
    return readable;
  }

  public int writableCount() {
    return writable;
  }

  public long readableBytes() {
    return readableBytes;
  }

  public long writableBytes() {
    return writableBytes;
  }

  /** The window segment every offset refers to. */
  public MemorySegment window() {
    return window;
  }

  /** Window offset of readable buffer {@code i}. */
  public long readableOffset(int i) {
    return offsets[checkReadable(i)];
  }

  public int readableLength(int i) {
    return lengths[checkReadable(i)];
  }

  /** Window offset of writable buffer {@code i}. */
  public long writableOffset(int i) {
    return offsets[readable + checkWritable(i)];
  }

  public int writableLength(int i) {
    return lengths[readable + checkWritable(i)];
  }

  /**
   * Copies up to {@code max} readable bytes, gathered across the readable buffers in order, into
   * {@code dst} at {@code dstOffset} (vringh_iov_pull). Returns the bytes copied.
   */
  public long pull(MemorySegment dst, long dstOffset, long max) {
    long done = 0;
    for (int i = 0; i < readable && done < max; i++) {
      long n = Math.min(Integer.toUnsignedLong(lengths[i]), max - done);
      MemorySegment.copy(window, offsets[i], dst, dstOffset + done, n);
      done += n;
    }
    return done;
  }

  /**
   * Copies {@code length} bytes from {@code src} into the writable buffers in order, scattering
   * across them (vringh_iov_push). Returns the bytes copied, fewer when the chain is too small.
   */
  public long push(MemorySegment src, long srcOffset, long length) {
    long done = 0;
    for (int i = 0; i < writable && done < length; i++) {
      long n = Math.min(Integer.toUnsignedLong(lengths[readable + i]), length - done);
      MemorySegment.copy(src, srcOffset + done, window, offsets[readable + i], n);
      done += n;
    }
    return done;
  }

  private int checkReadable(int i) {
    if (i < 0 || i >= readable) {
      throw new IndexOutOfBoundsException("readable buffer " + i + " of " + readable);
    }
    return i;
  }

  private int checkWritable(int i) {
    if (i < 0 || i >= writable) {
      throw new IndexOutOfBoundsException("writable buffer " + i + " of " + writable);
    }
    return i;
  }
}
