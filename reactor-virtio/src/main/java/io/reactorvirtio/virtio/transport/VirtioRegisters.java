package io.reactorvirtio.virtio.transport;

/**
 * The register block through which a transport link's two sides negotiate: the fields and rules
 * of the virtio-pci modern common configuration (FACTS §2: 64-bit feature words, device_status
 * with its bit order, per-queue size/enable/desc/driver/device, little-endian), laid out
 * <em>flat</em> as 32-bit registers with a status acknowledgement, so that it works in memory
 * that does not trap writes (a BAR backed by endpoint RAM, NTB scratchpads, a shared file).
 *
 * <p>Why not the virtio-pci block byte for byte: its {@code queue_select} and
 * {@code *_feature_select} registers multiplex other registers, and a {@code device_status}
 * write of 0 "reads back 0 once the reset is done": both need the device to act between a
 * driver's write and its next read, which a PCI function does because the write traps. In shared
 * memory nothing traps, so every queue has its own registers here, features are two words, and
 * the device echoes each status it has processed in {@link #STATUS_ACK} (setting
 * DEVICE_NEEDS_RESET there, with the reason in {@link #ERROR_CODE}, when it refuses). The RFC's
 * EP block (FACTS §3.10) solved the same problem with command/status mailboxes; an echoed status
 * keeps virtio's own state machine and needs no extra commands.
 *
 * <pre>
 * reg  name                 written by  meaning
 *  0   MAGIC                device      "RVRG" once the device has published the registers below
 *  1   VERSION              device      1
 *  2   DEVICE_ID            device      virtio device id (7 = rpmsg)
 *  3   DEVICE_FEATURE_LO    device      offered features, bits 0..31
 *  4   DEVICE_FEATURE_HI    device      bits 32..63 (VERSION_1 = bit 32)
 *  5   NUM_QUEUES           device      bits 0..15 queue count; bits 16..31: bit 16+q set = queue q
 *                                       carries device -&gt; driver
 *  6   DEVICE_GENERATION    device      bumped each time a device (re)starts and publishes
 *  7   STATUS_ACK           device      the last device_status the device processed, | NEEDS_RESET
 *  8   ACK_SESSION          device      the driver session that status belongs to
 *  9   ERROR_CODE           device      0, or 1 + a ConfigViolation ordinal, when it refused
 * 10   ERROR_QUEUE          device      the queue the refusal concerns, or -1
 * 11   ERROR_VALUE          device      the refused value (low 32 bits)
 * 12   DEVICE_HEARTBEAT     device      bumped by the device's poller (liveness)
 * 13   DRIVER_HEARTBEAT     driver      bumped by the driver's poller (liveness)
 * 14   SESSION              driver      a new value at every driver reset (a new driver, a re-negotiation)
 * 15   DEVICE_STATUS        driver      virtio device_status; 0 = reset
 * 16   DRIVER_FEATURE_LO    driver      accepted features, bits 0..31
 * 17   DRIVER_FEATURE_HI    driver      bits 32..63
 * 18   BUFFER_SIZE          driver      device-specific config: bytes per driver buffer
 * 19   reserved
 * 20 + 10q + 0  QUEUE_MAX_SIZE  device   largest queue_size the device takes; 0 = no such queue
 *          + 1  QUEUE_SIZE      driver   power of two, at most QUEUE_MAX_SIZE
 *          + 2  QUEUE_ENABLE    driver   1 once the queue is programmed
 *          + 3  QUEUE_DESC      driver   bus address of the descriptor table (lo, hi)
 *          + 5  QUEUE_DRIVER    driver   bus address of the available ring (lo, hi)
 *          + 7  QUEUE_DEVICE    driver   bus address of the used ring (lo, hi)
 *          + 9  reserved
 * </pre>
 *
 * <p>Handshake: the driver writes a new SESSION and DEVICE_STATUS = 0, and waits until the device
 * echoes STATUS_ACK = 0 for that session; then ACKNOWLEDGE | DRIVER, features, FEATURES_OK (waits
 * for the echo: a device that refuses sets NEEDS_RESET and ERROR_*), the queues, DRIVER_OK (waits
 * for the echo). The device touches no ring before it has checked DRIVER_OK's queues.
 */
public final class VirtioRegisters {

  public static final int MAGIC_VALUE = 0x47525652; // "RVRG" little-endian
  public static final int VERSION_VALUE = 1;

  public static final int MAGIC = 0;
  public static final int VERSION = 1;
  public static final int DEVICE_ID = 2;
  public static final int DEVICE_FEATURE_LO = 3;
  public static final int DEVICE_FEATURE_HI = 4;
  public static final int NUM_QUEUES = 5;
  public static final int DEVICE_GENERATION = 6;
  public static final int STATUS_ACK = 7;
  public static final int ACK_SESSION = 8;
  public static final int ERROR_CODE = 9;
  public static final int ERROR_QUEUE = 10;
  public static final int ERROR_VALUE = 11;
  public static final int DEVICE_HEARTBEAT = 12;
  public static final int DRIVER_HEARTBEAT = 13;
  public static final int SESSION = 14;
  public static final int DEVICE_STATUS = 15;
  public static final int DRIVER_FEATURE_LO = 16;
  public static final int DRIVER_FEATURE_HI = 17;
  public static final int BUFFER_SIZE = 18;

  public static final int QUEUE_BASE = 20;
  public static final int QUEUE_STRIDE = 10;
  public static final int QUEUE_MAX_SIZE = 0;
  public static final int QUEUE_SIZE = 1;
  public static final int QUEUE_ENABLE = 2;
  public static final int QUEUE_DESC_LO = 3;
  public static final int QUEUE_DESC_HI = 4;
  public static final int QUEUE_DRIVER_LO = 5;
  public static final int QUEUE_DRIVER_HI = 6;
  public static final int QUEUE_DEVICE_LO = 7;
  public static final int QUEUE_DEVICE_HI = 8;

  /** Most queues a block describes (20 + 8 × 10 = 100 registers: fits 128 NTB scratchpads). */
  public static final int MAX_QUEUES = 8;

  /** Feature bits (FACTS §1.5). */
  public static final long F_INDIRECT_DESC = 1L << 28;
  public static final long F_EVENT_IDX = 1L << 29;
  public static final long F_VERSION_1 = 1L << 32;

  private VirtioRegisters() {}

  /** Index of register {@code field} (a {@code QUEUE_*} offset) of queue {@code queue}. */
  public static int queue(int queue, int field) {
    return QUEUE_BASE + queue * QUEUE_STRIDE + field;
  }

  /** How many registers a block for {@code queues} queues needs. */
  public static int count(int queues) {
    return QUEUE_BASE + queues * QUEUE_STRIDE;
  }
}
