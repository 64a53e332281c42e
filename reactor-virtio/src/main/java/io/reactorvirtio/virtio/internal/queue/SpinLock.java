package io.reactorvirtio.virtio.internal.queue;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A lock for the short, non-blocking critical sections of a queue (a few ring stores). It spins
 * with {@link Thread#onSpinWait()} and never parks, so taking it on a Reactor non-blocking thread
 * is allowed (BlockHound sees no blocking call). Not reentrant.
 */
public final class SpinLock {

  private final AtomicInteger state = new AtomicInteger();

  public void lock() {
    while (!state.compareAndSet(0, 1)) {
      while (state.getPlain() != 0) {
        Thread.onSpinWait();
      }
    }
  }

  public boolean tryLock() {
    return state.getPlain() == 0 && state.compareAndSet(0, 1);
  }

  public void unlock() {
    state.setRelease(0);
  }
}
