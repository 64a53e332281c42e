package io.reactorvirtio.rpmsg;

/**
 * A named endpoint announced through the name service.
 *
 * @param name the announced name
 * @param address the announced endpoint's address
 * @param origin who announced it
 * @param addressService whether the announcer asked for an address-service acknowledgement
 */
public record RpmsgChannel(String name, int address, Origin origin, boolean addressService) {

  /** Who announced a channel. */
  public enum Origin {
    /** The peer announced it: we may send to it. */
    REMOTE,
    /** We announced one of our endpoints. */
    LOCAL
  }

  @Override
  public String toString() {
    return "RpmsgChannel['" + name + "' @" + RpmsgAddress.toString(address) + ", " + origin + "]";
  }
}
