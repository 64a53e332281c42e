package io.reactorvirtio.rpmsg.internal.wire;

import static io.reactorvirtio.rpmsg.internal.wire.AddressServiceLayout.DST_OFFSET;
import static io.reactorvirtio.rpmsg.internal.wire.AddressServiceLayout.FLAGS_OFFSET;
import static io.reactorvirtio.rpmsg.internal.wire.AddressServiceLayout.NAME_OFFSET;
import static io.reactorvirtio.rpmsg.internal.wire.AddressServiceLayout.SRC_OFFSET;
import static io.reactorvirtio.rpmsg.internal.wire.Wire.U32;

import java.lang.foreign.MemorySegment;

/** Codec for {@link AddressServiceLayout} at {@code (segment, offset)}. */
public final class AddressServiceMessage {

  private AddressServiceMessage() {}

  public static String name(MemorySegment s, long at) {
    return NameCodec.read(s, at + NAME_OFFSET);
  }

  public static int dst(MemorySegment s, long at) {
    return s.get(U32, at + DST_OFFSET);
  }

  public static int src(MemorySegment s, long at) {
    return s.get(U32, at + SRC_OFFSET);
  }

  public static int flags(MemorySegment s, long at) {
    return s.get(U32, at + FLAGS_OFFSET);
  }

  public static void write(MemorySegment s, long at, byte[] utf8Name, int dst, int src, int flags) {
    NameCodec.write(s, at + NAME_OFFSET, utf8Name);
    s.set(U32, at + DST_OFFSET, dst);
    s.set(U32, at + SRC_OFFSET, src);
    s.set(U32, at + FLAGS_OFFSET, flags);
  }
}
