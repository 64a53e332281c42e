package io.reactorvirtio.virtio.link;

import io.reactorvirtio.virtio.internal.ring.SplitRingLayout;

/**
 * Layout of the shared file of a {@linkplain VirtioShmLink shared-memory link}. Bus addresses in
 * descriptors are byte offsets into the file (as in OpenAMP's Linux platform). Little-endian.
 *
 * <pre>
 * 0x000 magic        u64  "RVSHMLK1", written last by the driver (release)
 * 0x008 version      u32  1
 * 0x00C queues       u32  1..64
 * 0x010 queue_size   u32  power of two, max 32768
 * 0x014 buffer_size  u32  16..1 MiB, multiple of 8
 * 0x018 features     u32  bit0 VIRTIO_F_EVENT_IDX
 * 0x01C inbound      u32  bit q set: queue q carries device -&gt; driver
 * 0x020 status       u32  virtio device status written by the driver (DRIVER_OK = 4)
 * 0x024 liveness_ms  u32  0 = off, else how long a silent peer counts as alive (100..60000)
 * 0x028 generation   u32  bumped by the driver each time it resets the rings (device died)
 * 0x02C device_id    u32  virtio device id carried by the link (7 = rpmsg)
 * 0x040 driver doorbell   8 bytes (futex seq, waiters): rung by the device, the driver parks on it
 * 0x080 device doorbell   8 bytes: rung by the driver, the device parks on it
 * 0x0C0 driver heartbeat  u64
 * 0x100 device heartbeat  u64
 * 0x1000                rings: queue q at RINGS + q * ringStride(N), legacy layout, align 4096
 * buffersOffset(Q, N)   buffers: queue q, buffer i at buffersOffset + (q * N + i) * buffer_size
 * </pre>
 *
 * Each doorbell and heartbeat sits in a cache line of its own.
 */
public final class ShmLinkLayout {

  public static final long MAGIC = 0x314B4C4D48535652L; // "RVSHMLK1" little-endian
  public static final int VERSION = 1;

  public static final long MAGIC_OFFSET = 0x000;
  public static final long VERSION_OFFSET = 0x008;
  public static final long QUEUES_OFFSET = 0x00C;
  public static final long QUEUE_SIZE_OFFSET = 0x010;
  public static final long BUFFER_SIZE_OFFSET = 0x014;
  public static final long FEATURES_OFFSET = 0x018;
  public static final long INBOUND_OFFSET = 0x01C;
  public static final long STATUS_OFFSET = 0x020;
  public static final long LIVENESS_OFFSET = 0x024;
  public static final long GENERATION_OFFSET = 0x028;
  public static final long DEVICE_ID_OFFSET = 0x02C;
  public static final long DRIVER_DOORBELL_OFFSET = 0x040;
  public static final long DEVICE_DOORBELL_OFFSET = 0x080;
  public static final long DRIVER_HEARTBEAT_OFFSET = 0x0C0;
  public static final long DEVICE_HEARTBEAT_OFFSET = 0x100;
  public static final long RINGS_OFFSET = 0x1000;

  public static final int FEATURE_EVENT_IDX = 1;
  public static final int STATUS_DRIVER_OK = 4;

  public static final int MAX_QUEUES = 64;
  public static final int MIN_LIVENESS_MS = 100;
  public static final int MAX_LIVENESS_MS = 60_000;
  public static final int MIN_BUFFER_SIZE = 16;
  public static final int MAX_BUFFER_SIZE = 1 << 20;
  public static final int RING_ALIGN = SplitRingLayout.LEGACY_ALIGN;

  private ShmLinkLayout() {}

  /** Bytes between two queues' rings: vring_size(N, 4096) rounded up to 4096. */
  public static long ringStride(int queueSize) {
    return SplitRingLayout.alignUp(SplitRingLayout.legacyRingBytes(queueSize, RING_ALIGN), RING_ALIGN);
  }

  public static long ringOffset(int queue, int queueSize) {
    return RINGS_OFFSET + queue * ringStride(queueSize);
  }

  public static long buffersOffset(int queues, int queueSize) {
    return SplitRingLayout.alignUp(RINGS_OFFSET + queues * ringStride(queueSize), RING_ALIGN);
  }

  /** Offset of queue {@code q}'s buffer 0. */
  public static long bufferOffset(int queues, int queueSize, int bufferSize, int queue) {
    return buffersOffset(queues, queueSize) + (long) queue * queueSize * bufferSize;
  }

  public static long fileSize(int queues, int queueSize, int bufferSize) {
    return SplitRingLayout.alignUp(bufferOffset(queues, queueSize, bufferSize, queues), RING_ALIGN);
  }

  /** Checks the header values; returns a message naming the first bad field, or null. */
  public static @org.jspecify.annotations.Nullable String check(int queues, int queueSize, int bufferSize) {
    if (queues < 1 || queues > MAX_QUEUES) {
      return "queues = " + queues + " (must be 1.." + MAX_QUEUES + ")";
    }
    if (!SplitRingLayout.isValidQueueSize(queueSize)) {
      return "queue_size = " + queueSize + " (must be a power of two in [1, 32768])";
    }
    if (bufferSize < MIN_BUFFER_SIZE || bufferSize > MAX_BUFFER_SIZE || bufferSize % 8 != 0) {
      return "buffer_size = " + bufferSize + " (must be a multiple of 8 in [16, 1 MiB])";
    }
    return null;
  }
}
