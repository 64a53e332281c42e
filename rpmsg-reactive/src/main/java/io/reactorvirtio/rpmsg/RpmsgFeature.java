package io.reactorvirtio.rpmsg;

/**
 * Negotiated rpmsg device features (virtio device id 7). The transport negotiates them; the bus is
 * told the result through {@link RpmsgOptions#features()}.
 */
public enum RpmsgFeature {
  /** VIRTIO_RPMSG_F_NS, bit 0: name-service announcements at address 53. */
  NAME_SERVICE(0),
  /**
   * VIRTIO_RPMSG_F_AS, bit 1 of the unmerged 2020 RFC: address-service acknowledgements at address
   * 54, so that the announcer learns its peer's address before the peer sends. Opt-in, only between
   * peers that both implement it (bit 1 and address 54 are also claimed by another unmerged
   * proposal, FACTS §7.1).
   */
  ADDRESS_SERVICE(1);

  private final int bit;

  RpmsgFeature(int bit) {
    this.bit = bit;
  }

  public int bit() {
    return bit;
  }

  public long mask() {
    return 1L << bit;
  }
}
