package io.reactorvirtio.rpmsg;

import java.time.Duration;

/** A send, or a wait for a channel or a peer address, did not finish in time. */
public final class RpmsgTimeoutException extends RpmsgException {

  private static final long serialVersionUID = 1L;

  private final transient Duration waited;

  public RpmsgTimeoutException(String message, Duration waited) {
    super(message);
    this.waited = waited;
  }

  public Duration waited() {
    return waited;
  }
}
