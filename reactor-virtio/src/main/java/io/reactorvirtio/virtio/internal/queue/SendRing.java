package io.reactorvirtio.virtio.internal.queue;

import io.reactorvirtio.virtio.BufferWriter;
import io.reactorvirtio.virtio.VirtioException;
import org.jspecify.annotations.Nullable;

/**
 * The outbound half of a virtqueue as the reactive edge sees it, for either role. Any thread may
 * call it; implementations lock internally.
 */
public interface SendRing {

  /** Buffers that can be written now, after reclaiming what the peer has returned. */
  int credit();

  /**
   * Writes one message into a free buffer and makes it available to the peer (not yet notified).
   * Returns the length written, or a negative value when no buffer was free. The writer's
   * exceptions propagate and nothing is published.
   */
  <T> int write(T item, BufferWriter<T> writer);

  /** One notification decision for everything written since the last flush. */
  void flush();

  /**
   * Asks the peer to notify when buffers come back; {@code true} when credit appeared meanwhile.
   * Called on the poller thread.
   */
  boolean enableNotifications();

  void disableNotifications();

  /** Largest message a buffer holds. */
  int maxMessageSize();

  @Nullable VirtioException error();

  String name();
}
