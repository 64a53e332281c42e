package io.reactorvirtio.virtio.internal.ring;

import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.AVAIL_ALIGN;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_ALIGN;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.USED_ALIGN;

import io.reactorvirtio.virtio.RingViolation;
import io.reactorvirtio.virtio.RingViolationException;
import io.reactorvirtio.virtio.memory.Window;
import java.lang.foreign.MemorySegment;

/**
 * Where a split queue lives, as bus addresses: the values of virtio-pci's queue_size, queue_desc,
 * queue_driver and queue_device. A geometry read from the peer is untrusted; {@link #resolve}
 * checks every rule before any ring access (vm-virtio {@code QueueState}).
 */
public record QueueGeometry(int size, long descAddr, long availAddr, long usedAddr) {

  /** Legacy contiguous layout at {@code base} with Queue Align {@code align} (remoteproc, OpenAMP). */
  public static QueueGeometry legacy(long base, int size, int align) {
    long used = SplitRingLayout.legacyUsedOffset(size, align);
    return new QueueGeometry(size, base, base + SplitRingLayout.descTableBytes(size), base + used);
  }

  /** The three parts packed at their virtio 1.x minimum alignments (16-2-4). */
  public static QueueGeometry compact(long base, int size) {
    long used = SplitRingLayout.compactUsedOffset(size);
    return new QueueGeometry(size, base, base + SplitRingLayout.descTableBytes(size), base + used);
  }

  /** The three parts resolved into slices of a window. */
  public record Resolved(QueueGeometry geometry, DescriptorTable desc, AvailRing avail, UsedRing used) {}

  /**
   * Checks size, alignment (of the bus address and of the mapped address, since atomic access
   * needs natural alignment) and window bounds, and resolves the three parts.
   *
   * @throws RingViolationException naming the first rule broken
   */
  public Resolved resolve(String queue, Window window) {
    if (!SplitRingLayout.isValidQueueSize(size)) {
      throw new RingViolationException(queue, RingViolation.QUEUE_SIZE, "queue_size", size);
    }
    MemorySegment d = part(queue, window, "queue_desc", descAddr, SplitRingLayout.descTableBytes(size), DESC_ALIGN);
    MemorySegment a = part(queue, window, "queue_driver", availAddr, SplitRingLayout.availRingBytes(size), AVAIL_ALIGN);
    MemorySegment u = part(queue, window, "queue_device", usedAddr, SplitRingLayout.usedRingBytes(size), USED_ALIGN);
    return new Resolved(this, new DescriptorTable(d), new AvailRing(a, size), new UsedRing(u, size));
  }

  private static MemorySegment part(String queue, Window window, String field, long addr, long bytes, int align) {
    long off = window.offsetOf(addr, bytes);
    if (off == Window.OUT_OF_RANGE) {
      throw new RingViolationException(queue, RingViolation.RING_OUT_OF_WINDOW, field, addr);
    }
    MemorySegment slice = window.segment().asSlice(off, bytes);
    if (!SplitRingLayout.isAligned(addr, align) || !SplitRingLayout.isAligned(slice.address(), align)) {
      throw new RingViolationException(queue, RingViolation.RING_MISALIGNED, field, addr);
    }
    return slice;
  }
}
