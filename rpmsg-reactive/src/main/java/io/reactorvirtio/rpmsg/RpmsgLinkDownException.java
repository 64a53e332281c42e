package io.reactorvirtio.rpmsg;

/** The link under the bus failed or closed; the cause is the virtio layer's error. */
public final class RpmsgLinkDownException extends RpmsgException {

  private static final long serialVersionUID = 1L;

  public RpmsgLinkDownException(String message, Throwable cause) {
    super(message, cause);
  }
}
