package io.reactorvirtio.rpmsg.internal.wire;

import java.lang.foreign.MemorySegment;

/**
 * Classifies one received buffer before anything trusts it (the peer is untrusted): the header
 * must fit and its {@code len} must not run past the buffer (the used length is ignored: OpenAMP
 * reports the whole buffer); control messages must have their exact size. Allocation-free; the
 * codes are the bus's drop reasons.
 */
public final class InboundFrame {

  /** A data message for an endpoint: {@code len ≤ buffer − 16}. */
  public static final int DATA = 0;
  /** Shorter than a header, or {@code len} past the buffer. */
  public static final int BAD_HEADER = 1;
  /** A 40-byte name-service message (address 53, NS negotiated). */
  public static final int NAME_SERVICE = 2;
  /** To address 53 with NS negotiated, but not 40 bytes. */
  public static final int BAD_NAME_SERVICE = 3;
  /** A 44-byte address-service message (address 54, AS negotiated). */
  public static final int ADDRESS_SERVICE = 4;
  /** To address 54 with AS negotiated, but not 44 bytes. */
  public static final int BAD_ADDRESS_SERVICE = 5;

  /** Address of the name service. */
  public static final int NS_ADDR = 53;
  /** Address of the address service (RFC). */
  public static final int AS_ADDR = 54;

  private InboundFrame() {}

  /** What the buffer {@code frame} (its whole received extent) holds. */
  public static int classify(MemorySegment frame, boolean nameService, boolean addressService) {
    long available = frame.byteSize();
    if (available < RpmsgHeaderLayout.SIZE) {
      return BAD_HEADER;
    }
    int len = RpmsgHeader.len(frame, 0);
    if (RpmsgHeaderLayout.checkLength(available, len) != null) {
      return BAD_HEADER;
    }
    int dst = RpmsgHeader.dst(frame, 0);
    if (dst == NS_ADDR && nameService) {
      return len == NameServiceLayout.SIZE ? NAME_SERVICE : BAD_NAME_SERVICE;
    }
    if (dst == AS_ADDR && addressService) {
      return len == AddressServiceLayout.SIZE ? ADDRESS_SERVICE : BAD_ADDRESS_SERVICE;
    }
    return DATA;
  }
}
