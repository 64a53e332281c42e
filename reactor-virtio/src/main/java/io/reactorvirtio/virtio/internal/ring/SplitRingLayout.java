package io.reactorvirtio.virtio.internal.ring;

/**
 * Byte layout of a virtio 1.x split virtqueue (virtio spec 2.7 "Split Virtqueues"; Linux
 * {@code include/uapi/linux/virtio_ring.h}). All fields little-endian.
 *
 * <pre>
 * Descriptor table, 16 bytes per entry, QueueSize entries, align 16:
 *   +0  addr  le64   bus address of the buffer
 *   +8  len   le32   buffer length
 *   +12 flags le16   NEXT=1 WRITE=2 INDIRECT=4
 *   +14 next  le16   next descriptor when NEXT is set
 *
 * Available ring ("driver area"), written only by the driver, align 2:
 *   +0        flags      le16   bit0 VIRTQ_AVAIL_F_NO_INTERRUPT
 *   +2        idx        le16   free-running; slot = idx &amp; (N-1)
 *   +4+2i     ring[i]    le16   head of a descriptor chain
 *   +4+2N     used_event le16   only with VIRTIO_F_EVENT_IDX
 *
 * Used ring ("device area"), written only by the device, align 4:
 *   +0        flags       le16  bit0 VIRTQ_USED_F_NO_NOTIFY
 *   +2        idx         le16  free-running
 *   +4+8i     ring[i].id  le32  head index of the used chain
 *   +8+8i     ring[i].len le32  bytes written into the device-writable part
 *   +4+8N     avail_event le16  only with VIRTIO_F_EVENT_IDX
 *
 * Legacy contiguous layout (Linux vring_init, remoteproc, OpenAMP, the SoC RFC), alignment A:
 *   desc at 0, avail at 16N, used at align_up(16N + 2(3+N), A);
 *   vring_size(N, A) = align_up(16N + 2(3+N), A) + 6 + 8N (no tail padding)
 * </pre>
 */
public final class SplitRingLayout {

  // Descriptor table entry.
  public static final int DESC_SIZE = 16;
  public static final int DESC_ADDR_OFFSET = 0;
  public static final int DESC_LEN_OFFSET = 8;
  public static final int DESC_FLAGS_OFFSET = 12;
  public static final int DESC_NEXT_OFFSET = 14;

  /** VIRTQ_DESC_F_NEXT: the chain continues in {@code next}. */
  public static final int DESC_F_NEXT = 1;
  /** VIRTQ_DESC_F_WRITE: the buffer is device-writable (otherwise device-readable). */
  public static final int DESC_F_WRITE = 2;
  /** VIRTQ_DESC_F_INDIRECT: the buffer holds a table of descriptors. */
  public static final int DESC_F_INDIRECT = 4;

  // Available ring.
  public static final int AVAIL_FLAGS_OFFSET = 0;
  public static final int AVAIL_IDX_OFFSET = 2;
  public static final int AVAIL_RING_OFFSET = 4;
  public static final int AVAIL_ELEM_SIZE = 2;
  /** VIRTQ_AVAIL_F_NO_INTERRUPT: the driver asks not to be notified of used buffers. */
  public static final int AVAIL_F_NO_INTERRUPT = 1;

  // Used ring.
  public static final int USED_FLAGS_OFFSET = 0;
  public static final int USED_IDX_OFFSET = 2;
  public static final int USED_RING_OFFSET = 4;
  public static final int USED_ELEM_SIZE = 8;
  public static final int USED_ELEM_ID_OFFSET = 0;
  public static final int USED_ELEM_LEN_OFFSET = 4;
  /** VIRTQ_USED_F_NO_NOTIFY: the device asks not to be kicked. */
  public static final int USED_F_NO_NOTIFY = 1;

  /** Minimum alignments of the three parts in virtio 1.x. */
  public static final int DESC_ALIGN = 16;
  public static final int AVAIL_ALIGN = 2;
  public static final int USED_ALIGN = 4;
  /** Queue Align of virtio-pci legacy (VIRTIO_PCI_VRING_ALIGN), remoteproc and OpenAMP. */
  public static final int LEGACY_ALIGN = 4096;

  /** Largest split queue: the largest power of two in 16 bits, so full and empty differ. */
  public static final int MAX_QUEUE_SIZE = 32768;

  private SplitRingLayout() {}

  /** Offset of descriptor {@code i} in the descriptor table: 16·i. */
  public static long descOffset(int i) {
    return (long) i * DESC_SIZE;
  }

  /** Offset of avail.ring[slot]: 4 + 2·slot. */
  public static long availEntryOffset(int slot) {
    return AVAIL_RING_OFFSET + (long) slot * AVAIL_ELEM_SIZE;
  }

  /** Offset of used_event in the avail ring: 4 + 2·N. */
  public static long usedEventOffset(int queueSize) {
    return AVAIL_RING_OFFSET + (long) queueSize * AVAIL_ELEM_SIZE;
  }

  /** Offset of used.ring[slot]: 4 + 8·slot. */
  public static long usedElemOffset(int slot) {
    return USED_RING_OFFSET + (long) slot * USED_ELEM_SIZE;
  }

  /** Offset of avail_event in the used ring: 4 + 8·N. */
  public static long availEventOffset(int queueSize) {
    return USED_RING_OFFSET + (long) queueSize * USED_ELEM_SIZE;
  }

  /** Descriptor table size: 16·N. */
  public static long descTableBytes(int queueSize) {
    return (long) queueSize * DESC_SIZE;
  }

  /** Avail ring size with used_event: 2 (flags) + 2 (idx) + 2·N (ring) + 2 (used_event) = 6 + 2·N. */
  public static long availRingBytes(int queueSize) {
    return 6 + (long) queueSize * AVAIL_ELEM_SIZE;
  }

  /** Used ring size with avail_event: 2 (flags) + 2 (idx) + 8·N (ring) + 2 (avail_event) = 6 + 8·N. */
  public static long usedRingBytes(int queueSize) {
    return 6 + (long) queueSize * USED_ELEM_SIZE;
  }

  /** Legacy used-ring offset: align_up(16·N + 2·(3+N), A). */
  public static long legacyUsedOffset(int queueSize, int align) {
    checkQueueSize(queueSize);
    checkAlignmentValue(align);
    return alignUp(descTableBytes(queueSize) + availRingBytes(queueSize), align);
  }

  /** Linux vring_size(N, A): align_up(16·N + 2·(3+N), A) + 6 + 8·N. */
  public static long legacyRingBytes(int queueSize, int align) {
    return legacyUsedOffset(queueSize, align) + usedRingBytes(queueSize);
  }

  /** Used-ring offset when the three parts are packed at their 1.x minimum alignments (16-2-4). */
  public static long compactUsedOffset(int queueSize) {
    checkQueueSize(queueSize);
    return alignUp(descTableBytes(queueSize) + availRingBytes(queueSize), USED_ALIGN);
  }

  /** Total bytes of the 16-2-4 packed layout. */
  public static long compactRingBytes(int queueSize) {
    return compactUsedOffset(queueSize) + usedRingBytes(queueSize);
  }

  /** Rounds {@code value} up to a multiple of the power of two {@code align}. */
  public static long alignUp(long value, long align) {
    return (value + align - 1) & -align;
  }

  /** Split queues: a power of two from 1 to 32768 (virtio spec 2.7). */
  public static void checkQueueSize(int queueSize) {
    if (!isValidQueueSize(queueSize)) {
      throw new IllegalArgumentException(
          "queue size " + queueSize + " is not a power of two in [1, " + MAX_QUEUE_SIZE + "]");
    }
  }

  public static boolean isValidQueueSize(int queueSize) {
    return queueSize > 0 && queueSize <= MAX_QUEUE_SIZE && Integer.bitCount(queueSize) == 1;
  }

  /** A ring alignment must be a power of two. */
  public static void checkAlignmentValue(int align) {
    if (align <= 0 || Integer.bitCount(align) != 1) {
      throw new IllegalArgumentException("ring alignment " + align + " is not a power of two");
    }
  }

  /** Whether {@code address} is a multiple of the power of two {@code align}. */
  public static boolean isAligned(long address, int align) {
    return (address & (align - 1)) == 0;
  }
}
