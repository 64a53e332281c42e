package io.reactorvirtio.rpmsg;

/** The endpoint or its bus was closed. */
public final class RpmsgEndpointClosedException extends RpmsgException {

  private static final long serialVersionUID = 1L;

  public RpmsgEndpointClosedException(String message) {
    super(message);
  }
}
