package io.reactorvirtio.virtio.internal.config;

import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.DRIVER_WRITABLE_STATUS;
import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.STATUS_ACKNOWLEDGE;
import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.STATUS_DRIVER;
import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.STATUS_DRIVER_OK;
import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.STATUS_FAILED;
import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.STATUS_FEATURES_OK;

import io.reactorvirtio.virtio.ConfigViolation;
import io.reactorvirtio.virtio.ConfigViolationException;
import io.reactorvirtio.virtio.RingViolation;
import io.reactorvirtio.virtio.RingViolationException;
import io.reactorvirtio.virtio.internal.ring.QueueGeometry;
import io.reactorvirtio.virtio.internal.ring.SplitRingLayout;
import io.reactorvirtio.virtio.memory.Window;

/**
 * What the device side checks in the configuration a driver wrote (it is the peer's, hence
 * untrusted): accepted features against those offered, each status write against the one before
 * (virtio spec 3.1.1 order, no bit cleared without a reset), and a queue's size and ring addresses
 * before anything touches the ring. Each failure is a {@link ConfigViolationException} naming the
 * register and the value.
 */
public final class ConfigChecks {

  private ConfigChecks() {}

  /** The driver may accept only features the device offered (spec 2.2.1). */
  public static void checkAcceptedFeatures(String link, long offered, long accepted) {
    long extra = accepted & ~offered;
    if (extra != 0) {
      throw new ConfigViolationException(link, ConfigViolation.FEATURES_NOT_OFFERED, "driver_feature", extra);
    }
  }

  /**
   * A status write {@code previous -> next}. 0 is a reset and always allowed. Otherwise no
   * driver-written bit may be cleared, FAILED fails the device, and bits come in the spec's order:
   * DRIVER after ACKNOWLEDGE, FEATURES_OK after DRIVER, DRIVER_OK after FEATURES_OK — except for
   * legacy devices ({@code legacy}: remoteproc/OpenAMP peers write DRIVER_OK alone, FACTS §9.3).
   */
  public static void checkStatusWrite(String link, int previous, int next, boolean legacy) {
    if (next == 0) {
      return;
    }
    int cleared = previous & ~next & DRIVER_WRITABLE_STATUS;
    if (cleared != 0) {
      throw new ConfigViolationException(link, ConfigViolation.STATUS_BACKWARDS, "device_status " + previous + " ->",
          next);
    }
    if ((next & STATUS_FAILED) != 0) {
      throw new ConfigViolationException(link, ConfigViolation.DRIVER_FAILED, "device_status", next);
    }
    if (legacy) {
      return;
    }
    if ((next & STATUS_DRIVER) != 0 && (next & STATUS_ACKNOWLEDGE) == 0
        || (next & STATUS_FEATURES_OK) != 0 && (next & STATUS_DRIVER) == 0
        || (next & STATUS_DRIVER_OK) != 0 && (next & STATUS_FEATURES_OK) == 0) {
      throw new ConfigViolationException(link, ConfigViolation.STATUS_OUT_OF_ORDER, "device_status", next);
    }
  }

  /**
   * A queue the driver programmed: it exists, its size is a power of two no larger than the
   * device's maximum (and 32768), and its three ring parts lie, aligned, inside {@code window}.
   *
   * @return the validated geometry
   */
  public static QueueGeometry checkQueue(String link, int queue, int numQueues, int maxSize, int size, long desc,
      long driver, long device, Window window) {
    if (queue < 0 || queue >= numQueues) {
      throw new ConfigViolationException(link, ConfigViolation.NO_SUCH_QUEUE, "queue_select", queue);
    }
    String q = "queue " + queue + " ";
    if (size <= 0 || Integer.bitCount(size) != 1) {
      throw new ConfigViolationException(link, ConfigViolation.QUEUE_SIZE_NOT_POWER_OF_TWO, q + "queue_size", size);
    }
    if (size > maxSize || size > SplitRingLayout.MAX_QUEUE_SIZE) {
      throw new ConfigViolationException(link, ConfigViolation.QUEUE_SIZE_TOO_LARGE, q + "queue_size", size);
    }
    QueueGeometry geometry = new QueueGeometry(size, desc, driver, device);
    try {
      geometry.resolve(link + "/q" + queue, window);
    } catch (RingViolationException e) {
      if (e.violation() == RingViolation.QUEUE_SIZE) {
        throw new ConfigViolationException(link, ConfigViolation.QUEUE_SIZE_NOT_POWER_OF_TWO, q + "queue_size", size);
      }
      throw new ConfigViolationException(link, ConfigViolation.RING_ADDRESS, q + e.field(), e.value());
    }
    return geometry;
  }
}
