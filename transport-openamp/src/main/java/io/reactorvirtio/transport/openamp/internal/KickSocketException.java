package io.reactorvirtio.transport.openamp.internal;

/** The kick socket could not be set up in time (the link wraps it in its public error type). */
public final class KickSocketException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public KickSocketException(String message) {
    super(message);
  }

  public KickSocketException(String message, Throwable cause) {
    super(message, cause);
  }
}
