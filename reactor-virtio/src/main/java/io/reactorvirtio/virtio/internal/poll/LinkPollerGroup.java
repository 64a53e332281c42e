package io.reactorvirtio.virtio.internal.poll;

import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.SharedPoller;
import io.reactorvirtio.virtio.notify.FutexInterruptSource;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The {@link SharedPoller} implementation: a {@link LinkPoller} whose own source is a futex word in
 * private memory (for local wake-ups), joined by each attached link's doorbell.
 */
public final class LinkPollerGroup implements SharedPoller {

  private final Arena arena = Arena.ofShared();
  private final FutexInterruptSource home;
  private final LinkPoller poller;

  public LinkPollerGroup(String name, IdlePolicy idle) {
    MemorySegment word = arena.allocate(8, 8);
    this.home = new FutexInterruptSource(word, 0);
    this.poller = new LinkPoller(name, home, idle).start();
  }

  /** The poller links attach their tasks and interrupt sources to. */
  public LinkPoller poller() {
    return poller;
  }

  @Override
  public String name() {
    return poller.name();
  }

  @Override
  public long parks() {
    return poller.parks();
  }

  @Override
  public void close() {
    poller.close();
    home.close();
    arena.close();
  }

  @Override
  public String toString() {
    return "SharedPoller[" + poller.name() + "]";
  }
}
