package io.reactorvirtio.rpmsg.internal.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** The 32-byte, NUL-padded name field shared by the name-service and address-service messages. */
public final class NameCodec {

  /** Longest name: 31 bytes, so that {@code name[31]} can always be NUL. */
  public static final int MAX_NAME_BYTES = NameServiceLayout.NAME_SIZE - 1;

  private NameCodec() {}

  /**
   * Decodes the name at {@code at}: the bytes before the first NUL, looking at most at the first
   * 31 (the receiver forces {@code name[31] = 0}, as Linux does). Never reads outside the field.
   */
  public static String read(MemorySegment s, long at) {
    int n = 0;
    while (n < MAX_NAME_BYTES && s.get(ValueLayout.JAVA_BYTE, at + n) != 0) {
      n++;
    }
    byte[] b = new byte[n];
    MemorySegment.copy(s, ValueLayout.JAVA_BYTE, at, b, 0, n);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** Whether the 32-byte field holds a NUL at all (else the sender left it unterminated). */
  public static boolean isTerminated(MemorySegment s, long at) {
    for (int i = 0; i < NameServiceLayout.NAME_SIZE; i++) {
      if (s.get(ValueLayout.JAVA_BYTE, at + i) == 0) {
        return true;
      }
    }
    return false;
  }

  /** Writes {@code name}, NUL-padded to 32 bytes. */
  public static void write(MemorySegment s, long at, byte[] utf8Name) {
    checkName(utf8Name);
    MemorySegment.copy(utf8Name, 0, s, ValueLayout.JAVA_BYTE, at, utf8Name.length);
    s.asSlice(at + utf8Name.length, NameServiceLayout.NAME_SIZE - utf8Name.length).fill((byte) 0);
  }

  /** The UTF-8 bytes of {@code name} after checking it fits the field with its NUL. */
  public static byte[] encode(String name) {
    byte[] b = name.getBytes(StandardCharsets.UTF_8);
    checkName(b);
    return b;
  }

  private static void checkName(byte[] b) {
    if (b.length > MAX_NAME_BYTES) {
      throw new IllegalArgumentException("rpmsg name of " + b.length + " bytes exceeds " + MAX_NAME_BYTES);
    }
    for (byte x : b) {
      if (x == 0) {
        throw new IllegalArgumentException("rpmsg name contains a NUL byte");
      }
    }
  }
}
