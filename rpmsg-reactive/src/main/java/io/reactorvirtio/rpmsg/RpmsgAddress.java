package io.reactorvirtio.rpmsg;

/**
 * rpmsg addresses are unsigned 32-bit values, held in an {@code int} ({@link #ANY} is {@code -1}).
 * Use {@link #toString(int)} to print one.
 */
public final class RpmsgAddress {

  /** RPMSG_ADDR_ANY: "not known yet" / "allocate one for me". */
  public static final int ANY = 0xFFFFFFFF;
  /** RPMSG_NS_ADDR: the name service. */
  public static final int NAME_SERVICE = 53;
  /** RPMSG_AS_ADDR of the 2020 RFC: the address service (opt-in). */
  public static final int ADDRESS_SERVICE = 54;
  /** RPMSG_RESERVED_ADDRESSES: dynamic addresses start here. */
  public static final int FIRST_DYNAMIC = 1024;

  private RpmsgAddress() {}

  /** Decimal, or {@code ANY}. */
  public static String toString(int address) {
    return address == ANY ? "ANY" : Integer.toUnsignedString(address);
  }

  /** Whether {@code address} is one the bus uses itself (53, 54) or {@link #ANY}. */
  public static boolean isReserved(int address) {
    return address == ANY || address == NAME_SERVICE || address == ADDRESS_SERVICE;
  }
}
