package io.reactorvirtio.virtio.internal.ring;

import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U16;
import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U16_HANDLE;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.AVAIL_FLAGS_OFFSET;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.AVAIL_IDX_OFFSET;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over the available ring ("driver area"), written by the driver, read by the device.
 * The accessor names carry the memory ordering: {@code idxAcquire}/{@code publishIdx} pair across
 * the two sides; the rest is plain and ordered by them. The segment must be 2-aligned.
 */
public final class AvailRing {

  private final MemorySegment segment;
  private final long usedEventOffset;

  public AvailRing(MemorySegment segment, int queueSize) {
    this.segment = segment;
    this.usedEventOffset = SplitRingLayout.usedEventOffset(queueSize);
  }

  public MemorySegment segment() {
    return segment;
  }

  public int flags() {
    return Short.toUnsignedInt(segment.get(U16, AVAIL_FLAGS_OFFSET));
  }

  public void setFlags(int flags) {
    segment.set(U16, AVAIL_FLAGS_OFFSET, (short) flags);
  }

  /**
   * Device side, virtio_rmb: read avail.idx with acquire so that the ring entries and descriptors
   * read afterwards are the ones the driver wrote before publishing it.
   */
  public int idxAcquire() {
    return Short.toUnsignedInt((short) U16_HANDLE.getAcquire(segment, (long) AVAIL_IDX_OFFSET));
  }

  /**
   * Driver side, virtio_wmb (virtio spec 2.7.13 "Supplying Buffers to The Device", updating idx):
   * descriptors and the ring entry become visible before the new idx.
   */
  public void publishIdx(int idx) {
    U16_HANDLE.setRelease(segment, (long) AVAIL_IDX_OFFSET, (short) idx);
  }

  public int entry(int slot) {
    return Short.toUnsignedInt(segment.get(U16, SplitRingLayout.availEntryOffset(slot)));
  }

  public void setEntry(int slot, int head) {
    segment.set(U16, SplitRingLayout.availEntryOffset(slot), (short) head);
  }

  /** used_event (VIRTIO_F_EVENT_IDX), plain: the caller puts the full fence around it. */
  public int usedEvent() {
    return Short.toUnsignedInt(segment.get(U16, usedEventOffset));
  }

  public void setUsedEvent(int idx) {
    segment.set(U16, usedEventOffset, (short) idx);
  }
}
