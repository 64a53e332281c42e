package io.reactorvirtio.benchmarks;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The benchmark's message format, checked on every message by the receiving side.
 *
 * <pre>
 * 0      u64  seq      0, 1, 2, ... per figure (END: the number of data messages sent)
 * 8      u32  type     WARMUP, MEASURE or END
 * 12     u32  length   the payload length again
 * 16..L-8     template bytes (a fixed pattern, compared with a vectorised mismatch)
 * L-8    u64  seq      again, so a torn or stale buffer is caught at both ends
 * </pre>
 *
 * <p>Messages of 16..23 bytes carry the 16-byte header only (no pattern, no trailer).
 */
public final class Msg {

  public static final int WARMUP = 0x5741524D;
  public static final int MEASURE = 0x4D454153;
  public static final int END = 0x454E4421;

  public static final int MIN_LENGTH = 16;
  /** Shortest message with the pattern and the trailer. */
  public static final int FULL_LENGTH = 24;
  public static final int MAX_LENGTH = 1 << 16;

  /** OK, or a negative code from {@link #check}. */
  public static final int OK = 0;

  private static final MemorySegment TEMPLATE = Arena.global().allocate(MAX_LENGTH, 8);

  static {
    for (int i = 0; i < MAX_LENGTH; i++) {
      TEMPLATE.set(JAVA_BYTE, i, (byte) (i * 131 + 17));
    }
  }

  private Msg() {}

  /** Writes message {@code seq} of {@code len} bytes at {@code dst[off]}. */
  public static void write(MemorySegment dst, long off, int len, long seq, int type) {
    if (len < FULL_LENGTH) {
      dst.set(JAVA_LONG_UNALIGNED, off, seq);
      dst.set(JAVA_INT_UNALIGNED, off + 8, type);
      dst.set(JAVA_INT_UNALIGNED, off + 12, len);
      return;
    }
    MemorySegment.copy(TEMPLATE, 16, dst, off + 16, len - 24);
    dst.set(JAVA_LONG_UNALIGNED, off, seq);
    dst.set(JAVA_INT_UNALIGNED, off + 8, type);
    dst.set(JAVA_INT_UNALIGNED, off + 12, len);
    dst.set(JAVA_LONG_UNALIGNED, off + len - 8, seq);
  }

  public static long seq(MemorySegment src, long off) {
    return src.get(JAVA_LONG_UNALIGNED, off);
  }

  public static int type(MemorySegment src, long off) {
    return src.get(JAVA_INT_UNALIGNED, off + 8);
  }

  /**
   * Checks a received message: {@code len} as expected, header and trailer carry
   * {@code expectedSeq}, type valid, template intact. Returns {@link #OK} or a negative code
   * ({@link #describe} tells what it means). Allocation-free.
   */
  public static int check(MemorySegment src, long off, int len, int expectedLen, long expectedSeq) {
    if (len != expectedLen) {
      return -1;
    }
    int type = src.get(JAVA_INT_UNALIGNED, off + 8);
    if (type != WARMUP && type != MEASURE && type != END) {
      return -2;
    }
    if (src.get(JAVA_LONG_UNALIGNED, off) != expectedSeq) {
      return -3;
    }
    if (len < FULL_LENGTH) {
      return src.get(JAVA_INT_UNALIGNED, off + 12) != len ? -5 : OK;
    }
    if (src.get(JAVA_LONG_UNALIGNED, off + len - 8) != expectedSeq) {
      return -4;
    }
    if (src.get(JAVA_INT_UNALIGNED, off + 12) != len) {
      return -5;
    }
    if (MemorySegment.mismatch(src, off + 16, off + len - 8, TEMPLATE, 16, len - 8) != -1) {
      return -6;
    }
    return OK;
  }

  /** A failure message for a {@link #check} code (allocates: failure path only). */
  public static String describe(int code, MemorySegment src, long off, int len, int expectedLen, long expectedSeq) {
    String what = switch (code) {
      case -1 -> "length " + len + ", expected " + expectedLen;
      case -2 -> "bad type 0x" + Integer.toHexString(src.get(JAVA_INT_UNALIGNED, off + 8));
      case -3 -> "sequence " + src.get(JAVA_LONG_UNALIGNED, off) + ", expected " + expectedSeq
          + (src.get(JAVA_LONG_UNALIGNED, off) < expectedSeq ? " (duplicate or reordered)" : " (lost messages)");
      case -4 -> "trailer sequence " + src.get(JAVA_LONG_UNALIGNED, off + len - 8) + ", expected " + expectedSeq
          + " (torn or stale buffer)";
      case -5 -> "length field " + src.get(JAVA_INT_UNALIGNED, off + 12) + ", expected " + len;
      case -6 -> "payload bytes corrupted at offset "
          + MemorySegment.mismatch(src, off + 16, off + len - 8, TEMPLATE, 16, len - 8);
      default -> "code " + code;
    };
    return "bad message (expected seq " + expectedSeq + "): " + what;
  }
}
