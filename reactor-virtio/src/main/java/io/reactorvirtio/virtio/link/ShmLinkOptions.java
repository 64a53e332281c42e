package io.reactorvirtio.virtio.link;

import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.Virtqueue.Direction;
import java.time.Duration;
import java.util.List;

/**
 * Shape of a shared-memory link, chosen by the driver side (the device reads it from the file).
 *
 * @param directions one entry per queue, as seen from the driver
 * @param queueSize descriptors per queue (power of two, at most 32768)
 * @param bufferSize bytes per buffer (multiple of 8, 16 B to 1 MiB)
 * @param eventIdx negotiate VIRTIO_F_EVENT_IDX (otherwise flag-based suppression)
 * @param idle the poller's idle policy
 * @param liveness how long a silent peer is taken for alive (heartbeats in the file);
 *     {@link Duration#ZERO} turns liveness off (the link is then UP from the start)
 * @param deviceId the virtio device id this link carries (7 = rpmsg), by which the device side
 *     probes a vhost driver
 */
public record ShmLinkOptions(List<Direction> directions, int queueSize, int bufferSize, boolean eventIdx,
    IdlePolicy idle, Duration liveness, int deviceId) {

  /** virtio device id of rpmsg. */
  public static final int RPMSG_DEVICE_ID = 7;

  /** The default liveness bound: a peer silent for a second is down. */
  public static final Duration DEFAULT_LIVENESS = Duration.ofSeconds(1);

  public ShmLinkOptions {
    directions = List.copyOf(directions);
    String bad = ShmLinkLayout.check(directions.size(), queueSize, bufferSize);
    if (bad != null) {
      throw new IllegalArgumentException("shared-memory link options: " + bad);
    }
    if (deviceId < 1 || deviceId > 0xFFFF) {
      throw new IllegalArgumentException("shared-memory link options: device id " + deviceId + " not in 1..65535");
    }
    if (liveness.isNegative() || liveness.toMillis() > ShmLinkLayout.MAX_LIVENESS_MS
        || (!liveness.isZero() && liveness.toMillis() < ShmLinkLayout.MIN_LIVENESS_MS)) {
      throw new IllegalArgumentException("shared-memory link options: liveness " + liveness + " must be 0 (off) or "
          + ShmLinkLayout.MIN_LIVENESS_MS + ".." + ShmLinkLayout.MAX_LIVENESS_MS + " ms");
    }
  }

  /** rpmsg's shape: queue 0 device to driver, queue 1 driver to device; 256 × 512 B; EVENT_IDX. */
  public static ShmLinkOptions defaults() {
    return new ShmLinkOptions(List.of(Direction.INBOUND, Direction.OUTBOUND), 256, 512, true, IdlePolicy.defaults(),
        DEFAULT_LIVENESS, RPMSG_DEVICE_ID);
  }

  public ShmLinkOptions withQueueSize(int n) {
    return new ShmLinkOptions(directions, n, bufferSize, eventIdx, idle, liveness, deviceId);
  }

  public ShmLinkOptions withBufferSize(int n) {
    return new ShmLinkOptions(directions, queueSize, n, eventIdx, idle, liveness, deviceId);
  }

  public ShmLinkOptions withEventIdx(boolean on) {
    return new ShmLinkOptions(directions, queueSize, bufferSize, on, idle, liveness, deviceId);
  }

  public ShmLinkOptions withIdle(IdlePolicy policy) {
    return new ShmLinkOptions(directions, queueSize, bufferSize, eventIdx, policy, liveness, deviceId);
  }

  public ShmLinkOptions withLiveness(Duration bound) {
    return new ShmLinkOptions(directions, queueSize, bufferSize, eventIdx, idle, bound, deviceId);
  }

  public ShmLinkOptions withDeviceId(int id) {
    return new ShmLinkOptions(directions, queueSize, bufferSize, eventIdx, idle, liveness, id);
  }

  public ShmLinkOptions withDirections(List<Direction> dirs) {
    return new ShmLinkOptions(dirs, queueSize, bufferSize, eventIdx, idle, liveness, deviceId);
  }
}
