package io.reactorvirtio.virtio.internal.ring;

import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U16;
import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U16_HANDLE;
import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U32;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.USED_ELEM_ID_OFFSET;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.USED_ELEM_LEN_OFFSET;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.USED_FLAGS_OFFSET;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.USED_IDX_OFFSET;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over the used ring ("device area"), written by the device, read by the driver. The
 * segment must be 4-aligned.
 */
public final class UsedRing {

  private final MemorySegment segment;
  private final long availEventOffset;

  public UsedRing(MemorySegment segment, int queueSize) {
    this.segment = segment;
    this.availEventOffset = SplitRingLayout.availEventOffset(queueSize);
  }

  public MemorySegment segment() {
    return segment;
  }

  public int flags() {
    return Short.toUnsignedInt(segment.get(U16, USED_FLAGS_OFFSET));
  }

  public void setFlags(int flags) {
    segment.set(U16, USED_FLAGS_OFFSET, (short) flags);
  }

  /**
   * Driver side, virtio_rmb: read used.idx with acquire so that the used elements read afterwards
   * are the ones the device wrote before publishing it.
   */
  public int idxAcquire() {
    return Short.toUnsignedInt((short) U16_HANDLE.getAcquire(segment, (long) USED_IDX_OFFSET));
  }

  /**
   * Device side, virtio_wmb (virtio spec 2.7.14 "Receiving Used Buffers From The Device"): used
   * elements (id and len) become visible before the new idx.
   */
  public void publishIdx(int idx) {
    U16_HANDLE.setRelease(segment, (long) USED_IDX_OFFSET, (short) idx);
  }

  /** used.ring[slot].id as an unsigned 32-bit value. */
  public long elemId(int slot) {
    return Integer.toUnsignedLong(segment.get(U32, SplitRingLayout.usedElemOffset(slot) + USED_ELEM_ID_OFFSET));
  }

  /** used.ring[slot].len as an unsigned 32-bit value. */
  public long elemLen(int slot) {
    return Integer.toUnsignedLong(segment.get(U32, SplitRingLayout.usedElemOffset(slot) + USED_ELEM_LEN_OFFSET));
  }

  public void setElem(int slot, int id, int len) {
    long base = SplitRingLayout.usedElemOffset(slot);
    segment.set(U32, base + USED_ELEM_ID_OFFSET, id);
    segment.set(U32, base + USED_ELEM_LEN_OFFSET, len);
  }

  /** avail_event (VIRTIO_F_EVENT_IDX), plain: the caller puts the full fence around it. */
  public int availEvent() {
    return Short.toUnsignedInt(segment.get(U16, availEventOffset));
  }

  public void setAvailEvent(int idx) {
    segment.set(U16, availEventOffset, (short) idx);
  }
}
