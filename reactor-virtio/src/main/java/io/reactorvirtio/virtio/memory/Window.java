package io.reactorvirtio.virtio.memory;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A view of the peer's memory: bus addresses {@code [busBase, busBase + size)} map onto
 * {@code segment} byte offsets {@code [0, size)}.
 *
 * <p>Descriptors carry bus addresses in the driver's address space. The device side resolves them
 * through a window and refuses anything out of range: the peer is untrusted. All arithmetic is
 * unsigned 64-bit and overflow-safe, so an address near {@code 2^64} or a length that would wrap
 * is refused rather than wrapped into range.
 *
 * <pre>{@code
 * Window w = Window.of(region.segment(), 0x8000_0000L);
 * long off = w.offsetOf(descAddr, descLen);   // -1 when out of range, no exception on the hot path
 * }</pre>
 */
public final class Window {

  /** Returned by {@link #offsetOf(long, long)} for a range that is not entirely inside. */
  public static final long OUT_OF_RANGE = -1L;

  private final MemorySegment segment;
  private final long busBase;
  private final long size;

  private Window(MemorySegment segment, long busBase) {
    this.segment = Objects.requireNonNull(segment, "segment");
    this.busBase = busBase;
    this.size = segment.byteSize();
  }

  /** A window whose first byte has bus address {@code busBase}. */
  public static Window of(MemorySegment segment, long busBase) {
    if (Long.compareUnsigned(busBase + segment.byteSize() - 1, busBase) < 0 && segment.byteSize() > 0) {
      throw new IllegalArgumentException(
          "window at bus 0x" + Long.toHexString(busBase) + " of size " + segment.byteSize() + " wraps past 2^64");
    }
    return new Window(segment, busBase);
  }

  /** A window where bus addresses are byte offsets into the segment (shared-file links, OpenAMP). */
  public static Window identity(MemorySegment segment) {
    return of(segment, 0L);
  }

  public MemorySegment segment() {
    return segment;
  }

  public long busBase() {
    return busBase;
  }

  public long size() {
    return size;
  }

  /**
   * The segment offset of {@code [busAddr, busAddr + length)}, or {@link #OUT_OF_RANGE} when any byte
   * of it lies outside the window or {@code length} is negative (as an unsigned 32-bit descriptor
   * length never is once widened).
   */
  public long offsetOf(long busAddr, long length) {
    long off = busAddr - busBase;
    if (length < 0 || Long.compareUnsigned(off, size) > 0 || Long.compareUnsigned(length, size - off) > 0) {
      return OUT_OF_RANGE;
    }
    return off;
  }

  /** Whether {@code [busAddr, busAddr + length)} lies entirely inside. */
  public boolean contains(long busAddr, long length) {
    return offsetOf(busAddr, length) != OUT_OF_RANGE;
  }

  /** The bus address of a segment offset. */
  public long busAddressOf(long segmentOffset) {
    Objects.checkIndex(segmentOffset, size + 1);
    return busBase + segmentOffset;
  }

  /**
   * A slice for {@code [busAddr, busAddr + length)}.
   *
   * @throws OutOfWindowException when the range is not entirely inside
   */
  public MemorySegment slice(long busAddr, long length) {
    long off = offsetOf(busAddr, length);
    if (off == OUT_OF_RANGE) {
      throw new OutOfWindowException(busAddr, length, this);
    }
    return segment.asSlice(off, length);
  }

  @Override
  public String toString() {
    return "Window[bus 0x" + Long.toHexString(busBase) + "..0x" + Long.toHexString(busBase + size) + ")";
  }
}
