package io.reactorvirtio.virtio;

/**
 * A way the peer broke the split-ring protocol (virtio spec 2.7, the rules Linux {@code vringh}
 * enforces). Every violation names the ring field it concerns; {@link RingViolationException}
 * carries the value the peer wrote.
 */
public enum RingViolation {
  /** Queue size not a power of two in [1, 32768]. */
  QUEUE_SIZE("queue size is not a power of two in [1, 32768]"),
  /** A ring part not at its spec alignment (desc 16, avail 2, used 4). */
  RING_MISALIGNED("ring part is not at its required alignment"),
  /** A ring part outside the window. */
  RING_OUT_OF_WINDOW("ring part lies outside the window"),
  /** avail.idx moved further than the queue size since the device last looked. */
  AVAIL_IDX_JUMP("avail.idx moved by more than the queue size"),
  /** avail.flags has bits other than VIRTQ_AVAIL_F_NO_INTERRUPT. */
  BAD_AVAIL_FLAGS("avail.flags has undefined bits set"),
  /** A head index in avail.ring is not below the queue size. */
  HEAD_OUT_OF_RANGE("avail.ring entry is not a descriptor index"),
  /** The driver made available a head the device still holds. */
  HEAD_IN_USE("avail.ring entry names a chain the device still holds"),
  /** desc.next is not below the table size. */
  NEXT_OUT_OF_RANGE("desc.next is not a descriptor index"),
  /** The chain visits a descriptor twice. */
  DESCRIPTOR_LOOP("descriptor chain loops"),
  /** The chain has more descriptors than the queue size. */
  CHAIN_TOO_LONG("descriptor chain is longer than the queue size"),
  /** The chain's buffers add up to more than 2^32 bytes. */
  CHAIN_TOO_LARGE("descriptor chain is larger than 2^32 bytes"),
  /** A buffer's address range lies outside the window. */
  BUFFER_OUT_OF_WINDOW("buffer lies outside the window"),
  /** A device-readable descriptor follows a device-writable one. */
  READABLE_AFTER_WRITABLE("device-readable descriptor after a device-writable one"),
  /** VIRTQ_DESC_F_INDIRECT without VIRTIO_F_INDIRECT_DESC. */
  INDIRECT_NOT_NEGOTIATED("indirect descriptor without VIRTIO_F_INDIRECT_DESC"),
  /** VIRTQ_DESC_F_INDIRECT and VIRTQ_DESC_F_NEXT in one descriptor. */
  INDIRECT_WITH_NEXT("indirect descriptor also has NEXT set"),
  /** VIRTQ_DESC_F_INDIRECT inside an indirect table. */
  NESTED_INDIRECT("indirect descriptor inside an indirect table"),
  /** An indirect table whose length is zero or not a multiple of 16. */
  BAD_INDIRECT_LENGTH("indirect table length is zero or not a multiple of 16"),
  /** A chain whose direction does not fit the queue (e.g. no readable bytes on a send queue). */
  WRONG_DIRECTION("descriptor chain has the wrong shape for this queue (one readable buffer to receive, one writable buffer to send)"),
  /** used.idx moved further than the buffers the driver has outstanding. */
  USED_IDX_JUMP("used.idx moved by more than the outstanding buffers"),
  /** used.ring[].id is not below the queue size. */
  USED_ID_OUT_OF_RANGE("used.ring id is not a descriptor index"),
  /** used.ring[].id names a chain the driver did not make available. */
  USED_ID_NOT_OUTSTANDING("used.ring id is not an outstanding chain head"),
  /** used.ring[].len is larger than the chain's device-writable capacity. */
  USED_LEN_TOO_LONG("used.ring len exceeds the chain's writable capacity");

  private final String description;

  RingViolation(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }
}
