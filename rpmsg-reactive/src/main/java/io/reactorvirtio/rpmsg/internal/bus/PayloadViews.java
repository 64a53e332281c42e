package io.reactorvirtio.rpmsg.internal.bus;

import io.reactorvirtio.rpmsg.internal.wire.RpmsgHeaderLayout;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The payload part (after the 16-byte header) of the ring buffers a bus sends through, cached per
 * buffer: the rings hand out the same buffers again and again, so after warm-up a zero-copy send
 * allocates no slice per message. An open-addressed table keyed by the buffer's address and size
 * (not the segment object: a device side may hand out a fresh segment for the same buffer), probing
 * {@link #PROBES} slots so that two buffers hashing alike do not evict each other on every message.
 * Any thread may use it (a slot holds one immutable entry, replaced whole).
 */
final class PayloadViews {

  /** Slots looked at per lookup. */
  static final int PROBES = 4;

  private record Entry(long address, long size, int room, MemorySegment payload) {}

  private final AtomicReferenceArray<Entry> table;
  private final int mask;
  private final int shift;

  PayloadViews(int sizePowerOfTwo) {
    if (Integer.bitCount(sizePowerOfTwo) != 1 || sizePowerOfTwo < PROBES) {
      throw new IllegalArgumentException("table size must be a power of two >= " + PROBES + ": " + sizePowerOfTwo);
    }
    this.table = new AtomicReferenceArray<>(sizePowerOfTwo);
    this.mask = sizePowerOfTwo - 1;
    this.shift = 64 - Integer.numberOfTrailingZeros(sizePowerOfTwo);
  }

  /** {@code buffer}'s bytes from the payload offset on, {@code room} long. */
  MemorySegment payloadOf(MemorySegment buffer, int room) {
    long address = buffer.address();
    long size = buffer.byteSize();
    int home = (int) ((address * 0x9E3779B97F4A7C15L) >>> shift);
    int free = -1;
    for (int i = 0; i < PROBES; i++) {
      int slot = (home + i) & mask;
      Entry e = table.getPlain(slot);
      if (e == null) {
        if (free < 0) {
          free = slot;
        }
      } else if (e.address() == address && e.size() == size && e.room() == room) {
        return e.payload();
      }
    }
    MemorySegment payload = buffer.asSlice(RpmsgHeaderLayout.SIZE, room);
    table.setRelease(free >= 0 ? free : home, new Entry(address, size, room, payload));
    return payload;
  }
}
