package io.reactorvirtio.virtio.memory;

/** A bus-address range that a {@link Window} refused. */
public final class OutOfWindowException extends IndexOutOfBoundsException {

  private static final long serialVersionUID = 1L;

  private final long busAddress;
  private final long length;

  public OutOfWindowException(long busAddress, long length, Window window) {
    super("bus range 0x" + Long.toHexString(busAddress) + "+" + length + " is outside " + window);
    this.busAddress = busAddress;
    this.length = length;
  }

  public long busAddress() {
    return busAddress;
  }

  public long length() {
    return length;
  }
}
