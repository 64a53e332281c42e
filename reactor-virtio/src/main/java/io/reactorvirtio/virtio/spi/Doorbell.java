package io.reactorvirtio.virtio.spi;

/**
 * Rings the peer: an available-buffer notification (driver to device) or a used-buffer notification
 * (device to driver).
 *
 * <p>Implementations are cheap, never block and may be called from any thread. Whether a ring is
 * needed at all is decided before by the virtqueue's suppression rules ({@code kickPrepare} /
 * {@code needNotify}); a doorbell only delivers.
 */
@FunctionalInterface
public interface Doorbell {

  /** Notifies the peer. Must not block. */
  void ring();
}
