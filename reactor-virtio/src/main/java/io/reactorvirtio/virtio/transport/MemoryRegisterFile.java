package io.reactorvirtio.virtio.transport;

import io.reactorvirtio.virtio.spi.RegisterFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A {@link RegisterFile} in mapped memory: a BAR, a simulated register block in a shared file.
 * Register {@code i} is the little-endian 32-bit word at {@code offset + 4 i}; reads are acquire,
 * writes release.
 */
public final class MemoryRegisterFile implements RegisterFile {

  private static final VarHandle U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

  private final MemorySegment segment;
  private final long offset;
  private final int count;

  /**
   * @throws IllegalArgumentException if the block does not fit in {@code segment} or {@code offset}
   *     is not 4-byte aligned
   */
  public MemoryRegisterFile(MemorySegment segment, long offset, int count) {
    if (count <= 0 || offset < 0 || offset % 4 != 0 || offset + 4L * count > segment.byteSize()) {
      throw new IllegalArgumentException("register block of " + count + " registers at " + offset
          + " does not fit a segment of " + segment.byteSize() + " bytes (or is misaligned)");
    }
    this.segment = segment;
    this.offset = offset;
    this.count = count;
  }

  @Override
  public int count() {
    return count;
  }

  @Override
  public int read(int index) {
    return (int) U32.getAcquire(segment, at(index));
  }

  @Override
  public void write(int index, int value) {
    U32.setRelease(segment, at(index), value);
  }

  private long at(int index) {
    if (index < 0 || index >= count) {
      throw new IndexOutOfBoundsException("register " + index + " of " + count);
    }
    return offset + 4L * index;
  }

  @Override
  public String toString() {
    return "MemoryRegisterFile[" + count + " registers at " + offset + "]";
  }
}
