package io.reactorvirtio.benchmarks;

import io.reactorvirtio.virtio.notify.FutexInterruptSource;

/**
 * What a raw-ring loop does when it finds nothing to do: spin ({@code busy}), or spin for a while
 * and then park in the kernel through the {@link io.reactorvirtio.virtio.spi.InterruptSource}
 * protocol ({@code futex}): token = arm(); re-enable the peer's notifications and re-check the
 * ring; if nothing arrived, await(token) else disarm(); then disable notifications again.
 */
final class RawIdle {

  /** Re-enables the peer's notifications for one ring and re-checks it (the ring's own calls). */
  interface Notifications {
    /** Returns true when work arrived meanwhile (do not park). */
    boolean enable();

    void disable();
  }

  static final long PARK_TIMEOUT_NANOS = 100_000_000L;

  private final boolean park;
  private final long spinNanos;
  private final FutexInterruptSource irq;
  private long idleSince;
  private long parks;

  RawIdle(boolean park, long spinNanos, FutexInterruptSource irq) {
    this.park = park;
    this.spinNanos = spinNanos;
    this.irq = irq;
  }

  /** Work was found: the next idle period starts spinning again. */
  void reset() {
    idleSince = 0;
  }

  /** Nothing to do on the ring {@code n} watches: spin once, or park. */
  void idle(Notifications n, long now) {
    if (!park) {
      Thread.onSpinWait();
      return;
    }
    if (spinNanos > 0) {
      if (idleSince == 0) {
        idleSince = now;
      }
      if (now - idleSince < spinNanos) {
        Thread.onSpinWait();
        return;
      }
    }
    int token = irq.arm();
    if (n.enable()) {
      irq.disarm();
    } else {
      parks++;
      irq.await(token, PARK_TIMEOUT_NANOS);
    }
    n.disable();
    idleSince = 0;
  }

  long parks() {
    return parks;
  }
}
