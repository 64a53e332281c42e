package io.reactorvirtio.rpmsg.internal.bus;

import io.reactorvirtio.rpmsg.internal.wire.RpmsgHeaderLayout;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The payload part (after the 16-byte header) of the ring buffers a bus sends through, cached per
 * buffer: the rings hand out the same buffer segments again and again, so after warm-up a zero-copy
 * send allocates no slice per message. A direct-mapped table keyed by the buffer's identity; any
 * thread may use it (a slot holds one immutable entry, replaced whole).
 */
final class PayloadViews {

  private record Entry(MemorySegment buffer, MemorySegment payload) {}

  private final AtomicReferenceArray<Entry> table;
  private final int mask;

  PayloadViews(int sizePowerOfTwo) {
    this.table = new AtomicReferenceArray<>(sizePowerOfTwo);
    this.mask = sizePowerOfTwo - 1;
  }

  /** {@code buffer}'s bytes from the payload offset on, {@code room} long. */
  MemorySegment payloadOf(MemorySegment buffer, int room) {
    int slot = System.identityHashCode(buffer) & mask;
    Entry e = table.getPlain(slot);
    if (e != null && e.buffer() == buffer && e.payload().byteSize() == room) {
      return e.payload();
    }
    MemorySegment payload = buffer.asSlice(RpmsgHeaderLayout.SIZE, room);
    table.setRelease(slot, new Entry(buffer, payload));
    return payload;
  }
}
