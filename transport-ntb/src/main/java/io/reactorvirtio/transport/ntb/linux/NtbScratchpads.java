package io.reactorvirtio.transport.ntb.linux;

/**
 * Typed reads and writes of the {@code ntb_virtio} handshake fields ({@link NtbScratchpadLayout})
 * over any {@link ScratchpadAccess}. Stateless: every call reads or writes the registers; 64-bit
 * values are written as two 32-bit writes (low word last for features, so a reader polling the
 * low word sees the high word already set) and read without tearing protection — the protocol's
 * COMMAND/COMMAND_STATUS exchange orders them.
 *
 * <pre>{@code
 * NtbScratchpads peer = new NtbScratchpads(port.peerScratchpads(0));
 * peer.setVirtioType(NtbScratchpadLayout.TYPE_VIRTIO);
 * peer.setMw0(dmaAddress, size);
 * long offered = new NtbScratchpads(port.localScratchpads()).vhostFeatures();
 * }</pre>
 */
public final class NtbScratchpads {

  private final ScratchpadAccess bank;

  /**
   * @throws IllegalArgumentException if the bank has fewer than 23 scratchpads
   */
  public NtbScratchpads(ScratchpadAccess bank) {
    NtbScratchpadLayout.checkBankSize(bank.count(), 0);
    this.bank = bank;
  }

  /** The underlying bank. */
  public ScratchpadAccess bank() {
    return bank;
  }

  public int virtioType() {
    return bank.read(NtbScratchpadLayout.VIRTIO_TYPE);
  }

  /** @param type {@link NtbScratchpadLayout#TYPE_VIRTIO} or {@link NtbScratchpadLayout#TYPE_VHOST} */
  public void setVirtioType(int type) {
    if (type != NtbScratchpadLayout.TYPE_VIRTIO && type != NtbScratchpadLayout.TYPE_VHOST) {
      throw new IllegalArgumentException("VIRTIO_TYPE must be 1 (virtio) or 2 (vhost): " + type);
    }
    bank.write(NtbScratchpadLayout.VIRTIO_TYPE, type);
  }

  public int vendorId() {
    return bank.read(NtbScratchpadLayout.VENDORID);
  }

  public void setVendorId(int vendorId) {
    bank.write(NtbScratchpadLayout.VENDORID, vendorId);
  }

  public int deviceId() {
    return bank.read(NtbScratchpadLayout.DEVICEID);
  }

  public void setDeviceId(int deviceId) {
    bank.write(NtbScratchpadLayout.DEVICEID, deviceId);
  }

  /** VHOST_FEATURES (device-offered), from indices 3 (high) and 4 (low). */
  public long vhostFeatures() {
    return join(NtbScratchpadLayout.VHOST_FEATURES_HI, NtbScratchpadLayout.VHOST_FEATURES_LO);
  }

  public void setVhostFeatures(long features) {
    split(features, NtbScratchpadLayout.VHOST_FEATURES_HI, NtbScratchpadLayout.VHOST_FEATURES_LO);
  }

  /** VIRTIO_FEATURES (driver-accepted), from indices 5 (high) and 6 (low). */
  public long virtioFeatures() {
    return join(NtbScratchpadLayout.VIRTIO_FEATURES_HI, NtbScratchpadLayout.VIRTIO_FEATURES_LO);
  }

  public void setVirtioFeatures(long features) {
    split(features, NtbScratchpadLayout.VIRTIO_FEATURES_HI, NtbScratchpadLayout.VIRTIO_FEATURES_LO);
  }

  /** MW0 size from indices 7 (low) and 8 (high). */
  public long mw0Size() {
    return join(NtbScratchpadLayout.MW0_SIZE_HI, NtbScratchpadLayout.MW0_SIZE_LO);
  }

  /** MW0 address from indices 9 (low) and 10 (high). */
  public long mw0Address() {
    return join(NtbScratchpadLayout.MW0_ADDR_HI, NtbScratchpadLayout.MW0_ADDR_LO);
  }

  /** Writes MW0 size and address (high words first, the size's low word last). */
  public void setMw0(long address, long size) {
    bank.write(NtbScratchpadLayout.MW0_ADDR_HI, (int) (address >>> 32));
    bank.write(NtbScratchpadLayout.MW0_ADDR_LO, (int) address);
    bank.write(NtbScratchpadLayout.MW0_SIZE_HI, (int) (size >>> 32));
    bank.write(NtbScratchpadLayout.MW0_SIZE_LO, (int) size);
  }

  /** DEVICE_STATUS, the low 8 bits of index 11. */
  public int deviceStatus() {
    return bank.read(NtbScratchpadLayout.DEVICE_STATUS) & 0xFF;
  }

  public void setDeviceStatus(int status) {
    if ((status & ~0xFF) != 0) {
      throw new IllegalArgumentException("device status is 8 bits: 0x" + Integer.toHexString(status));
    }
    bank.write(NtbScratchpadLayout.DEVICE_STATUS, status);
  }

  public int configGeneration() {
    return bank.read(NtbScratchpadLayout.CONFIG_GENERATION);
  }

  public void setConfigGeneration(int generation) {
    bank.write(NtbScratchpadLayout.CONFIG_GENERATION, generation);
  }

  public int command() {
    return bank.read(NtbScratchpadLayout.COMMAND);
  }

  public void setCommand(int command) {
    bank.write(NtbScratchpadLayout.COMMAND, command);
  }

  public int commandStatus() {
    return bank.read(NtbScratchpadLayout.COMMAND_STATUS);
  }

  public void setCommandStatus(int status) {
    bank.write(NtbScratchpadLayout.COMMAND_STATUS, status);
  }

  /** QUEUE_NUM_BUFFERS(q), q &lt; 8. */
  public int queueNumBuffers(int q) {
    return bank.read(NtbScratchpadLayout.queueNumBuffers(q));
  }

  public void setQueueNumBuffers(int q, int buffers) {
    bank.write(NtbScratchpadLayout.queueNumBuffers(q), buffers);
  }

  /**
   * Device-config word {@code i} (scratchpad 23 + i).
   *
   * @throws IndexOutOfBoundsException if the bank is too small
   */
  public int deviceConfig(int i) {
    return bank.read(checkedConfig(i));
  }

  public void setDeviceConfig(int i, int value) {
    bank.write(checkedConfig(i), value);
  }

  private int checkedConfig(int i) {
    int idx = NtbScratchpadLayout.deviceConfig(i);
    if (idx >= bank.count()) {
      throw new IndexOutOfBoundsException("device config word " + i + " is scratchpad " + idx
          + "; the bank has only " + bank.count());
    }
    return idx;
  }

  private long join(int hiIndex, int loIndex) {
    long hi = bank.read(hiIndex) & 0xFFFF_FFFFL;
    long lo = bank.read(loIndex) & 0xFFFF_FFFFL;
    return hi << 32 | lo;
  }

  private void split(long value, int hiIndex, int loIndex) {
    bank.write(hiIndex, (int) (value >>> 32));
    bank.write(loIndex, (int) value);
  }

  @Override
  public String toString() {
    return "NtbScratchpads[" + bank + "]";
  }
}
