package io.reactorvirtio.virtio.notify;

import io.reactorvirtio.virtio.spi.InterruptSource;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * For hardware with no interrupt in this direction (an endpoint without the EP doorbell, FACTS
 * §5.4/§7): the poller wakes every {@code interval} and looks at its rings, as the RFC did with a
 * 1 ms delayed work. The interval is the price in latency; {@link #wakeLocal()} still wakes the
 * poller at once for local work.
 */
public final class PollingInterruptSource implements InterruptSource {

  private final long intervalNanos;
  private volatile Thread parked;
  private volatile boolean wakeRequested;

  public PollingInterruptSource(Duration interval) {
    if (interval.isNegative() || interval.isZero() || interval.toSeconds() > 10) {
      throw new IllegalArgumentException("polling interval " + interval + " must be in (0, 10 s]");
    }
    this.intervalNanos = interval.toNanos();
  }

  public Duration interval() {
    return Duration.ofNanos(intervalNanos);
  }

  @Override
  public int arm() {
    parked = Thread.currentThread();
    return 0;
  }

  @Override
  public void await(int token, long timeoutNanos) {
    long park = timeoutNanos < 0 ? intervalNanos : Math.min(timeoutNanos, intervalNanos);
    if (!wakeRequested) {
      LockSupport.parkNanos(this, park);
    }
    disarm();
  }

  @Override
  public void disarm() {
    wakeRequested = false;
    parked = null;
  }

  @Override
  public void wakeLocal() {
    wakeRequested = true;
    Thread t = parked;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "PollingInterruptSource[every " + Duration.ofNanos(intervalNanos) + "]";
  }
}
