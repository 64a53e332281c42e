package io.reactorvirtio.rpmsg.internal.wire;

import org.jspecify.annotations.Nullable;

/**
 * {@code struct rpmsg_hdr} (Linux {@code virtio_rpmsg_bus.c}, OpenAMP {@code rpmsg_internal.h}):
 * packed, 16 bytes, little-endian, followed by {@code len} payload bytes.
 *
 * <pre>
 *  0               4               8               12      14      16
 *  +---------------+---------------+---------------+-------+-------+------------ - -
 *  |      src      |      dst      |   reserved    |  len  | flags | data[len]
 *  +---------------+---------------+---------------+-------+-------+------------ - -
 *   u32 sender      u32 receiver    u32, sent as 0  u16     u16, sent as 0
 *                                   (OpenAMP scribbles bookkeeping here: ignore it)
 * </pre>
 */
public final class RpmsgHeaderLayout {

  public static final int SRC_OFFSET = 0;
  public static final int DST_OFFSET = 4;
  public static final int RESERVED_OFFSET = 8;
  public static final int LEN_OFFSET = 12;
  public static final int FLAGS_OFFSET = 14;
  /** Header bytes; the payload starts here. */
  public static final int SIZE = 16;
  /** Largest payload {@code len} can express. */
  public static final int MAX_LEN = 0xFFFF;

  private RpmsgHeaderLayout() {}

  /** Payload bytes that fit in a buffer of {@code bufferSize} bytes: {@code bufferSize − 16} (496 for 512). */
  public static int mtu(int bufferSize) {
    return Math.max(0, Math.min(MAX_LEN, bufferSize - SIZE));
  }

  /**
   * The rule of Linux {@code rpmsg_recv_single}: the header fits in the buffer and {@code len} runs
   * no further than its end ({@code len ≤ available − 16}). Returns null when it holds, else the
   * reason.
   */
  public static @Nullable String checkLength(long available, int len) {
    if (available < SIZE) {
      return "buffer of " + available + " bytes is shorter than the 16-byte header";
    }
    if (len > available - SIZE) {
      return "header len " + len + " runs past the " + available + "-byte buffer (at most " + (available - SIZE) + ")";
    }
    return null;
  }
}
