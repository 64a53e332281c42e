package io.reactorvirtio.virtio.internal.config;

/**
 * The virtio-pci modern common configuration structure (virtio spec 4.1.4.3, FACTS §2), the
 * register block transports expose (an EPF BAR, a simulated register file). Little-endian.
 *
 * <pre>
 * +0  device_feature_select le32   +4  device_feature  le32 (RO)
 * +8  driver_feature_select le32   +12 driver_feature  le32
 * +16 config_msix_vector    le16   +18 num_queues      le16 (RO)
 * +20 device_status         u8     +21 config_generation u8 (RO)
 * +22 queue_select          le16   +24 queue_size      le16 (max on reset; 0 = absent)
 * +26 queue_msix_vector     le16   +28 queue_enable    le16
 * +30 queue_notify_off      le16 (RO)
 * +32 queue_desc            le64   +40 queue_driver    le64   +48 queue_device le64
 * +56 queue_notif_config_data le16 +58 queue_reset le16 +60 admin_queue_index le16 +62 admin_queue_num le16
 * </pre>
 */
public final class CommonConfigLayout {

  public static final int DEVICE_FEATURE_SELECT_OFFSET = 0;
  public static final int DEVICE_FEATURE_OFFSET = 4;
  public static final int DRIVER_FEATURE_SELECT_OFFSET = 8;
  public static final int DRIVER_FEATURE_OFFSET = 12;
  public static final int CONFIG_MSIX_VECTOR_OFFSET = 16;
  public static final int NUM_QUEUES_OFFSET = 18;
  public static final int DEVICE_STATUS_OFFSET = 20;
  public static final int CONFIG_GENERATION_OFFSET = 21;
  public static final int QUEUE_SELECT_OFFSET = 22;
  public static final int QUEUE_SIZE_OFFSET = 24;
  public static final int QUEUE_MSIX_VECTOR_OFFSET = 26;
  public static final int QUEUE_ENABLE_OFFSET = 28;
  public static final int QUEUE_NOTIFY_OFF_OFFSET = 30;
  public static final int QUEUE_DESC_OFFSET = 32;
  public static final int QUEUE_DRIVER_OFFSET = 40;
  public static final int QUEUE_DEVICE_OFFSET = 48;
  public static final int QUEUE_NOTIF_CONFIG_DATA_OFFSET = 56;
  public static final int QUEUE_RESET_OFFSET = 58;
  public static final int ADMIN_QUEUE_INDEX_OFFSET = 60;
  public static final int ADMIN_QUEUE_NUM_OFFSET = 62;
  public static final int SIZE = 64;

  /** Device status bits (virtio spec 2.1, FACTS §1.8). */
  public static final int STATUS_ACKNOWLEDGE = 1;
  public static final int STATUS_DRIVER = 2;
  public static final int STATUS_DRIVER_OK = 4;
  public static final int STATUS_FEATURES_OK = 8;
  public static final int STATUS_SUSPEND = 16;
  public static final int STATUS_DEVICE_NEEDS_RESET = 64;
  public static final int STATUS_FAILED = 128;

  /** The bits a driver may write (DEVICE_NEEDS_RESET is the device's). */
  public static final int DRIVER_WRITABLE_STATUS = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_DRIVER_OK
      | STATUS_FEATURES_OK | STATUS_SUSPEND | STATUS_FAILED;

  private CommonConfigLayout() {}
}
