package io.reactorvirtio.rpmsg.internal.wire;

/**
 * {@code struct rpmsg_as_msg} of the 2020 RFC's address service (patch 10/22, feature bit 1,
 * address 54): packed, exactly 44 bytes. Sent by the side that bound a channel from an
 * announcement, to tell the announcer the address it should send to.
 *
 * <pre>
 *  0                                                               32      36      40      44
 *  +---------------------------------------------------------------+-------+-------+-------+
 *  |                           name[32]                            |  dst  |  src  | flags |
 *  +---------------------------------------------------------------+-------+-------+-------+
 *                                                                    u32     u32     u32
 *    dst = the sender's local address (where the announcer should send),
 *    src = the announcer's address (which of its endpoints this binds),
 *    flags: 1 ASSIGN, 2 FREE
 * </pre>
 */
public final class AddressServiceLayout {

  public static final int NAME_OFFSET = 0;
  public static final int NAME_SIZE = 32;
  public static final int DST_OFFSET = 32;
  public static final int SRC_OFFSET = 36;
  public static final int FLAGS_OFFSET = 40;
  public static final int SIZE = 44;

  public static final int FLAG_ASSIGN = 1;
  public static final int FLAG_FREE = 2;

  private AddressServiceLayout() {}
}
