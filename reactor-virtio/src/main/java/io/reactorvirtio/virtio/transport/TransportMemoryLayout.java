package io.reactorvirtio.virtio.transport;

import io.reactorvirtio.virtio.internal.ring.SplitRingLayout;
import io.reactorvirtio.virtio.link.ShmLinkLayout;

/**
 * How a {@link VirtioTransportLink} lays out the driver memory a transport gives it: queue
 * {@code q}'s split ring (legacy layout, align 4096, as the RFC's RC side and Linux's
 * {@code vring_create_virtqueue} with a 4 KiB alignment) at {@code q * ringStride(N)}, then the
 * buffers, queue by queue. Offsets are from byte 0 of the memory; the device sees them at
 * {@code memoryBusAddress + offset} and learns the ring addresses from the queue registers, never
 * from this class (a device must not assume a layout).
 */
public final class TransportMemoryLayout {

  public static final int RING_ALIGN = SplitRingLayout.LEGACY_ALIGN;

  private TransportMemoryLayout() {}

  /** Bytes between two queues' rings: vring_size(N, 4096) rounded up to 4096 (as in the shared-memory link). */
  public static long ringStride(int queueSize) {
    return ShmLinkLayout.ringStride(queueSize);
  }

  public static long ringOffset(int queue, int queueSize) {
    return queue * ringStride(queueSize);
  }

  /** Offset of queue {@code q}'s buffer 0. */
  public static long bufferOffset(int queues, int queueSize, int bufferSize, int queue) {
    return queues * ringStride(queueSize) + (long) queue * queueSize * bufferSize;
  }

  /** How much driver memory a link of this shape needs. */
  public static long requiredBytes(int queues, int queueSize, int bufferSize) {
    return SplitRingLayout.alignUp(bufferOffset(queues, queueSize, bufferSize, queues), RING_ALIGN);
  }
}
