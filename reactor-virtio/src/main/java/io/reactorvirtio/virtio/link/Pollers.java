package io.reactorvirtio.virtio.link;

import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.SharedPoller;
import io.reactorvirtio.virtio.internal.poll.LinkPollerGroup;

/** Factories for pollers that links can share. */
public final class Pollers {

  private Pollers() {}

  /**
   * Starts a poller thread named {@code virtio-poller-<name>} that links created with it share:
   * it parks on all their doorbells at once ({@code futex_waitv}) and runs all their queues.
   */
  public static SharedPoller shared(String name, IdlePolicy idle) {
    return new LinkPollerGroup(name, idle);
  }
}
