package io.reactorvirtio.rpmsg;

/** A fixed address another endpoint holds, or no dynamic address left. */
public final class RpmsgAddressInUseException extends RpmsgException {

  private static final long serialVersionUID = 1L;

  public RpmsgAddressInUseException(String message) {
    super(message);
  }
}
