package io.reactorvirtio.virtio;

import java.lang.foreign.MemorySegment;

/**
 * Encodes one outgoing item straight into a ring buffer (zero-copy send).
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface BufferWriter<T> {

  /**
   * Writes {@code item} at offset 0 of {@code buffer} (whose size is the queue's buffer size) and
   * returns the number of bytes written.
   *
   * @throws MessageTooLargeException when the item does not fit; nothing is sent
   */
  int write(T item, MemorySegment buffer);

  /** Copies a segment's bytes. */
  static BufferWriter<MemorySegment> copying() {
    return (src, buffer) -> {
      long n = src.byteSize();
      if (n > buffer.byteSize()) {
        throw new MessageTooLargeException(n, buffer.byteSize());
      }
      MemorySegment.copy(src, 0, buffer, 0, n);
      return (int) n;
    };
  }
}
