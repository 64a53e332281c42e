package io.reactorvirtio.rpmsg.internal.wire;

import static io.reactorvirtio.rpmsg.internal.wire.RpmsgHeaderLayout.DST_OFFSET;
import static io.reactorvirtio.rpmsg.internal.wire.RpmsgHeaderLayout.FLAGS_OFFSET;
import static io.reactorvirtio.rpmsg.internal.wire.RpmsgHeaderLayout.LEN_OFFSET;
import static io.reactorvirtio.rpmsg.internal.wire.RpmsgHeaderLayout.RESERVED_OFFSET;
import static io.reactorvirtio.rpmsg.internal.wire.RpmsgHeaderLayout.SRC_OFFSET;
import static io.reactorvirtio.rpmsg.internal.wire.Wire.U16;
import static io.reactorvirtio.rpmsg.internal.wire.Wire.U32;

import java.lang.foreign.MemorySegment;

/**
 * Codec for {@link RpmsgHeaderLayout} at {@code (segment, offset)}: static, allocation-free
 * accessors named after the fields. Reads are plain: the ring's used/avail index acquire orders
 * them after the peer's writes.
 */
public final class RpmsgHeader {

  private RpmsgHeader() {}

  public static int src(MemorySegment s, long at) {
    return s.get(U32, at + SRC_OFFSET);
  }

  public static int dst(MemorySegment s, long at) {
    return s.get(U32, at + DST_OFFSET);
  }

  public static int reserved(MemorySegment s, long at) {
    return s.get(U32, at + RESERVED_OFFSET);
  }

  /** Payload length, unsigned. */
  public static int len(MemorySegment s, long at) {
    return Short.toUnsignedInt(s.get(U16, at + LEN_OFFSET));
  }

  public static int flags(MemorySegment s, long at) {
    return Short.toUnsignedInt(s.get(U16, at + FLAGS_OFFSET));
  }

  /** Writes a header as Linux and OpenAMP send it: reserved 0, flags 0. */
  public static void write(MemorySegment s, long at, int src, int dst, int len) {
    s.set(U32, at + SRC_OFFSET, src);
    s.set(U32, at + DST_OFFSET, dst);
    s.set(U32, at + RESERVED_OFFSET, 0);
    s.set(U16, at + LEN_OFFSET, (short) len);
    s.set(U16, at + FLAGS_OFFSET, (short) 0);
  }
}
