package io.reactorvirtio.virtio;

/** Root of this module's errors. */
public abstract sealed class VirtioException extends RuntimeException
    permits RingViolationException, ConfigViolationException, LinkDownException, QueueClosedException,
    MessageTooLargeException {

  private static final long serialVersionUID = 1L;

  protected VirtioException(String message) {
    super(message);
  }

  protected VirtioException(String message, Throwable cause) {
    super(message, cause);
  }
}
