package io.reactorvirtio.transport.ntb.linux;

/**
 * The scratchpad indices of the 2020 RFC's {@code ntb_virtio.h} handshake (FACTS §3.10): each
 * scratchpad is a 32-bit register; 64-bit values are split in two, in the (inconsistent) orders
 * the RFC uses.
 *
 * <pre>
 *  idx  field                      idx  field
 *  ---  -------------------------  ---  -------------------------------
 *   0   VIRTIO_TYPE (1 virtio,      9   VIRTIO MW0 address, low 32 bits
 *       2 vhost)                   10   VIRTIO MW0 address, high 32 bits
 *   1   VENDORID                   11   DEVICE_STATUS
 *   2   DEVICEID                   12   CONFIG_GENERATION
 *   3   VHOST_FEATURES, high 32    13   COMMAND
 *   4   VHOST_FEATURES, low 32     14   COMMAND_STATUS
 *   5   VIRTIO_FEATURES, high 32   15+n QUEUE_NUM_BUFFERS(n), n &lt; 8
 *   6   VIRTIO_FEATURES, low 32    23+  device config
 *   7   MW0 size, low 32 bits
 *   8   MW0 size, high 32 bits
 * </pre>
 *
 * <p>A bank must have at least {@link #MIN_SCRATCHPADS} registers for the queue entries; device
 * config needs more.
 */
public final class NtbScratchpadLayout {

  /** VIRTIO_TYPE: which role the writer plays. */
  public static final int VIRTIO_TYPE = 0;

  /** {@link #VIRTIO_TYPE} value of the virtio (driver) side. */
  public static final int TYPE_VIRTIO = 1;

  /** {@link #VIRTIO_TYPE} value of the vhost (device) side. */
  public static final int TYPE_VHOST = 2;

  /** VENDORID. */
  public static final int VENDORID = 1;

  /** DEVICEID (the virtio device id). */
  public static final int DEVICEID = 2;

  /** VHOST_FEATURES, high 32 bits. */
  public static final int VHOST_FEATURES_HI = 3;

  /** VHOST_FEATURES, low 32 bits. */
  public static final int VHOST_FEATURES_LO = 4;

  /** VIRTIO_FEATURES (the driver's accepted set), high 32 bits. */
  public static final int VIRTIO_FEATURES_HI = 5;

  /** VIRTIO_FEATURES, low 32 bits. */
  public static final int VIRTIO_FEATURES_LO = 6;

  /** MW0 size, low 32 bits. */
  public static final int MW0_SIZE_LO = 7;

  /** MW0 size, high 32 bits. */
  public static final int MW0_SIZE_HI = 8;

  /** The virtio side's MW0 (DMA) address, low 32 bits. */
  public static final int MW0_ADDR_LO = 9;

  /** The virtio side's MW0 address, high 32 bits. */
  public static final int MW0_ADDR_HI = 10;

  /** DEVICE_STATUS (virtio status byte). */
  public static final int DEVICE_STATUS = 11;

  /** CONFIG_GENERATION. */
  public static final int CONFIG_GENERATION = 12;

  /** COMMAND. */
  public static final int COMMAND = 13;

  /** COMMAND_STATUS. */
  public static final int COMMAND_STATUS = 14;

  /** Index of QUEUE_NUM_BUFFERS(0). */
  public static final int QUEUE_NUM_BUFFERS_BASE = 15;

  /** The RFC's MAX_VQS. */
  public static final int MAX_VQS = 8;

  /** Index of the first device-config scratchpad. */
  public static final int DEVICE_CONFIG_BASE = QUEUE_NUM_BUFFERS_BASE + MAX_VQS;

  /** Scratchpads needed without device config (indices 0–22). */
  public static final int MIN_SCRATCHPADS = DEVICE_CONFIG_BASE;

  /** The RFC's command timeout, milliseconds. */
  public static final int COMMAND_TIMEOUT_MILLIS = 1000;

  /** The RFC's link poll interval, milliseconds. */
  public static final int LINK_POLL_MILLIS = 10;

  private NtbScratchpadLayout() {}

  /**
   * QUEUE_NUM_BUFFERS(q) = 15 + q.
   *
   * @throws IllegalArgumentException unless 0 ≤ q &lt; {@link #MAX_VQS}
   */
  public static int queueNumBuffers(int q) {
    if (q < 0 || q >= MAX_VQS) {
      throw new IllegalArgumentException("queue index must be 0-" + (MAX_VQS - 1) + ": " + q);
    }
    return QUEUE_NUM_BUFFERS_BASE + q;
  }

  /**
   * Device-config word {@code i} = 23 + i.
   *
   * @throws IllegalArgumentException if i is negative
   */
  public static int deviceConfig(int i) {
    if (i < 0) {
      throw new IllegalArgumentException("device config word must be non-negative: " + i);
    }
    return DEVICE_CONFIG_BASE + i;
  }

  /**
   * Checks that a bank is large enough for the handshake (and {@code configWords} of device
   * config).
   *
   * @throws IllegalArgumentException naming both numbers otherwise
   */
  public static void checkBankSize(int count, int configWords) {
    int need = DEVICE_CONFIG_BASE + configWords;
    if (count < need) {
      throw new IllegalArgumentException("the ntb_virtio handshake needs " + need
          + " scratchpads (23 + " + configWords + " device-config words); the NTB has " + count);
    }
  }
}
