package io.reactorvirtio.virtio.internal.ring;

import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U16_UNALIGNED;
import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U32_UNALIGNED;
import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U64_UNALIGNED;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_ADDR_OFFSET;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_FLAGS_OFFSET;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_LEN_OFFSET;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_NEXT_OFFSET;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_SIZE;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over a descriptor table (the ring's own table, or an indirect table). Plain accesses
 * only: descriptors are ordered by the release store of avail.idx (driver) and the acquire load of
 * avail.idx (device). Unaligned layouts, because an indirect table sits wherever the peer put it.
 */
public final class DescriptorTable {

  private final MemorySegment segment;
  private final int entries;

  public DescriptorTable(MemorySegment segment) {
    this.segment = segment;
    this.entries = (int) Math.min(Integer.MAX_VALUE, segment.byteSize() / DESC_SIZE);
  }

  public MemorySegment segment() {
    return segment;
  }

  public int entries() {
    return entries;
  }

  public long addr(int i) {
    return segment.get(U64_UNALIGNED, (long) i * DESC_SIZE + DESC_ADDR_OFFSET);
  }

  /** The length as an unsigned 32-bit value. */
  public long len(int i) {
    return Integer.toUnsignedLong(segment.get(U32_UNALIGNED, (long) i * DESC_SIZE + DESC_LEN_OFFSET));
  }

  public int flags(int i) {
    return Short.toUnsignedInt(segment.get(U16_UNALIGNED, (long) i * DESC_SIZE + DESC_FLAGS_OFFSET));
  }

  public int next(int i) {
    return Short.toUnsignedInt(segment.get(U16_UNALIGNED, (long) i * DESC_SIZE + DESC_NEXT_OFFSET));
  }

  /** Writes a whole descriptor with plain stores. */
  public void set(int i, long addr, int len, int flags, int next) {
    long base = (long) i * DESC_SIZE;
    segment.set(U64_UNALIGNED, base + DESC_ADDR_OFFSET, addr);
    segment.set(U32_UNALIGNED, base + DESC_LEN_OFFSET, len);
    segment.set(U16_UNALIGNED, base + DESC_FLAGS_OFFSET, (short) flags);
    segment.set(U16_UNALIGNED, base + DESC_NEXT_OFFSET, (short) next);
  }
}
