package io.reactorvirtio.virtio;

/** A message larger than the buffer it would go into; nothing of it was sent. */
public final class MessageTooLargeException extends VirtioException {

  private static final long serialVersionUID = 1L;

  private final long size;
  private final long limit;

  public MessageTooLargeException(long size, long limit) {
    super("message of " + size + " bytes exceeds the buffer size of " + limit + " bytes");
    this.size = size;
    this.limit = limit;
  }

  public long size() {
    return size;
  }

  public long limit() {
    return limit;
  }
}
