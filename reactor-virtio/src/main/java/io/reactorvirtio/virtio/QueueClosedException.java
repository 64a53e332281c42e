package io.reactorvirtio.virtio;

/** The virtqueue was closed locally, or is used in a way its direction does not allow. */
public final class QueueClosedException extends VirtioException {

  private static final long serialVersionUID = 1L;

  public QueueClosedException(String message) {
    super(message);
  }
}
