package io.reactorvirtio.virtio.internal.queue;

/** What a ring adapter needs to know about the link's poller. */
public interface PollerContext {

  /** Whether the caller runs on the poller thread (completions are then batched until flush). */
  boolean inPollerThread();

  /** Wakes the poller from another thread. */
  void wake();
}
