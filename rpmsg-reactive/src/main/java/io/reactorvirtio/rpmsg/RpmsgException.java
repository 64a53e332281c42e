package io.reactorvirtio.rpmsg;

/** Root of rpmsg-reactive's errors. Ring-level failures arrive as the virtio module's exceptions, wrapped or as causes. */
public abstract sealed class RpmsgException extends RuntimeException
    permits RpmsgMessageTooLargeException, RpmsgTimeoutException, RpmsgAddressInUseException,
    RpmsgEndpointClosedException, RpmsgLinkDownException {

  private static final long serialVersionUID = 1L;

  protected RpmsgException(String message) {
    super(message);
  }

  protected RpmsgException(String message, Throwable cause) {
    super(message, cause);
  }
}
