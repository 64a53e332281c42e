package io.reactorvirtio.rpmsg.internal.wire;

/**
 * {@code struct rpmsg_ns_msg}: the name-service message, packed, exactly 40 bytes, the payload of
 * a message to address 53.
 *
 * <pre>
 *  0                                                               32      36      40
 *  +---------------------------------------------------------------+-------+-------+
 *  |                name[32]  (NUL not guaranteed)                 | addr  | flags |
 *  +---------------------------------------------------------------+-------+-------+
 *                                                                    u32     u32: bit0 DESTROY,
 *                                                                            bit1 AS_ANNOUNCE (RFC)
 * </pre>
 *
 * The receiver forces {@code name[31] = 0} (Linux {@code rpmsg_ns_cb}): a name has at most 31
 * bytes. Only bit 0 of {@code flags} decides create (0) or destroy (1).
 */
public final class NameServiceLayout {

  public static final int NAME_OFFSET = 0;
  /** RPMSG_NAME_SIZE. */
  public static final int NAME_SIZE = 32;
  public static final int ADDR_OFFSET = 32;
  public static final int FLAGS_OFFSET = 36;
  /** The only length a name-service message may have. */
  public static final int SIZE = 40;

  public static final int FLAG_CREATE = 0;
  public static final int FLAG_DESTROY = 1;
  /** The 2020 RFC's address-service announce bit (CREATE | AS_ANNOUNCE = 2). */
  public static final int FLAG_AS_ANNOUNCE = 2;

  private NameServiceLayout() {}

  /** Whether {@code flags} means destroy: Linux and OpenAMP test bit 0 only. */
  public static boolean isDestroy(int flags) {
    return (flags & FLAG_DESTROY) != 0;
  }
}
