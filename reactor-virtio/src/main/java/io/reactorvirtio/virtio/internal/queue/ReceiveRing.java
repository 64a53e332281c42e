package io.reactorvirtio.virtio.internal.queue;

import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.VirtioException;
import org.jspecify.annotations.Nullable;

/**
 * The inbound half of a virtqueue as the reactive edge sees it, for either role. Called on the
 * link's poller thread, except {@link LeaseOwner#release} which any thread may call. Implementations
 * lock internally.
 */
public interface ReceiveRing {

  /**
   * Makes room for up to {@code demand} more messages (driver: posts receive buffers; device:
   * nothing). Returns whether it posted anything.
   */
  boolean replenish(long demand);

  /** The next received message as a held lease, or {@code null} when none is ready. */
  @Nullable BufferLease take();

  /** Re-enables peer notifications; {@code true} when messages arrived meanwhile. */
  boolean enableNotifications();

  void disableNotifications();

  /**
   * The poller starts a drain: completions made on the poller thread until {@link #flush()} may be
   * published as one batch.
   */
  default void beginBatch() {}

  /** Publishes completions made on the poller thread and rings the peer if it asked for it. */
  void flush();

  /** The violation that broke the ring, or {@code null}. */
  @Nullable VirtioException error();

  /** Leases handed out and not yet released. */
  int outstandingLeases();

  String name();
}
