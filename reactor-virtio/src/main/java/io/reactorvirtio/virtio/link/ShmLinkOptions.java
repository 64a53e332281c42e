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
 */
public record ShmLinkOptions(List<Direction> directions, int queueSize, int bufferSize, boolean eventIdx,
    IdlePolicy idle, Duration liveness) {

  /** The default liveness bound: a peer silent for a second is down. */
  public static final Duration DEFAULT_LIVENESS = Duration.ofSeconds(1);

  public ShmLinkOptions {
    directions = List.copyOf(directions);
    String bad = ShmLinkLayout.check(directions.size(), queueSize, bufferSize);
    if (bad != null) {
      throw new IllegalArgumentException("shared-memory link options: " + bad);
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
        DEFAULT_LIVENESS);
  }

  public ShmLinkOptions withQueueSize(int n) {
    return new ShmLinkOptions(directions, n, bufferSize, eventIdx, idle, liveness);
  }

  public ShmLinkOptions withBufferSize(int n) {
    return new ShmLinkOptions(directions, queueSize, n, eventIdx, idle, liveness);
  }

  public ShmLinkOptions withEventIdx(boolean on) {
    return new ShmLinkOptions(directions, queueSize, bufferSize, on, idle, liveness);
  }

  public ShmLinkOptions withIdle(IdlePolicy policy) {
    return new ShmLinkOptions(directions, queueSize, bufferSize, eventIdx, policy, liveness);
  }

  public ShmLinkOptions withLiveness(Duration bound) {
    return new ShmLinkOptions(directions, queueSize, bufferSize, eventIdx, idle, bound);
  }

  public ShmLinkOptions withDirections(List<Direction> dirs) {
    return new ShmLinkOptions(dirs, queueSize, bufferSize, eventIdx, idle, liveness);
  }
}
