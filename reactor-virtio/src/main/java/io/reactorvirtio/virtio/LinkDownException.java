package io.reactorvirtio.virtio;

/** The link went down (peer dead, reset, or closed) while an operation was in flight. */
public final class LinkDownException extends VirtioException {

  private static final long serialVersionUID = 1L;

  public LinkDownException(String message) {
    super(message);
  }
}
