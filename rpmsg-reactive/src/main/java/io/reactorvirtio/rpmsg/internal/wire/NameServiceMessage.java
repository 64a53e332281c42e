package io.reactorvirtio.rpmsg.internal.wire;

import static io.reactorvirtio.rpmsg.internal.wire.NameServiceLayout.ADDR_OFFSET;
import static io.reactorvirtio.rpmsg.internal.wire.NameServiceLayout.FLAGS_OFFSET;
import static io.reactorvirtio.rpmsg.internal.wire.NameServiceLayout.NAME_OFFSET;
import static io.reactorvirtio.rpmsg.internal.wire.Wire.U32;

import java.lang.foreign.MemorySegment;

/** Codec for {@link NameServiceLayout} at {@code (segment, offset)}. */
public final class NameServiceMessage {

  private NameServiceMessage() {}

  public static String name(MemorySegment s, long at) {
    return NameCodec.read(s, at + NAME_OFFSET);
  }

  public static boolean nameTerminated(MemorySegment s, long at) {
    return NameCodec.isTerminated(s, at + NAME_OFFSET);
  }

  public static int addr(MemorySegment s, long at) {
    return s.get(U32, at + ADDR_OFFSET);
  }

  public static int flags(MemorySegment s, long at) {
    return s.get(U32, at + FLAGS_OFFSET);
  }

  /** Writes the 40 bytes; {@code utf8Name} from {@link NameCodec#encode}. */
  public static void write(MemorySegment s, long at, byte[] utf8Name, int addr, int flags) {
    NameCodec.write(s, at + NAME_OFFSET, utf8Name);
    s.set(U32, at + ADDR_OFFSET, addr);
    s.set(U32, at + FLAGS_OFFSET, flags);
  }
}
