package io.reactorvirtio.rpmsg;

/** A payload larger than the link's MTU (buffer size − 16 bytes); nothing of it was sent. */
public final class RpmsgMessageTooLargeException extends RpmsgException {

  private static final long serialVersionUID = 1L;

  private final long size;
  private final int mtu;

  public RpmsgMessageTooLargeException(String endpoint, long size, int mtu) {
    super("rpmsg endpoint " + endpoint + ": payload of " + size + " bytes exceeds the MTU of " + mtu
        + " bytes (buffer size − 16-byte header); nothing of it was sent");
    this.size = size;
    this.mtu = mtu;
  }

  public long size() {
    return size;
  }

  public int mtu() {
    return mtu;
  }
}
