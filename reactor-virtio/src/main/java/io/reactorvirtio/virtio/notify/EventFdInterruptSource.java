package io.reactorvirtio.virtio.notify;

import io.reactorvirtio.virtio.internal.nativeio.EventFd;
import io.reactorvirtio.virtio.spi.InterruptSource;

/**
 * An interrupt source backed by an {@link EventFd}: for in-process notification and for kernel
 * interrupt sinks such as VFIO's MSI-X eventfds.
 *
 * <p>The eventfd's counter keeps every notification until read, so no snapshot is needed: {@link
 * #arm()} returns 0 and {@link #await} returns at once if the counter is already non-zero. {@link
 * #await} polls with the timeout and then drains the counter with one read.
 */
public final class EventFdInterruptSource implements InterruptSource {

  private static final long NANOS_PER_MILLI = 1_000_000L;

  private final EventFd eventFd;

  /**
   * Wraps an eventfd; this source owns it and closes it in {@link #close()}. A non-blocking
   * eventfd is recommended.
   */
  EventFdInterruptSource(EventFd eventFd) {
    this.eventFd = eventFd;
  }

  /** Creates a source over a new non-blocking, close-on-exec eventfd. */
  public static EventFdInterruptSource create() {
    return new EventFdInterruptSource(EventFd.create(0, EventFd.NONBLOCK | EventFd.CLOEXEC));
  }

  /** The underlying eventfd (e.g. to register with VFIO). */
  EventFd eventFd() {
    return eventFd;
  }

  /** A new doorbell that rings this source. */
  public EventFdDoorbell doorbell() {
    return new EventFdDoorbell(eventFd);
  }

  /** Returns 0: the eventfd counter itself remembers notifications. */
  @Override
  public int arm() {
    return 0;
  }

  /**
   * Polls the eventfd for up to {@code timeoutNanos} (rounded up to whole milliseconds; negative
   * waits without bound) and drains it if readable. {@code token} is ignored.
   */
  @Override
  public void await(int token, long timeoutNanos) {
    long millis;
    if (timeoutNanos < 0) {
      millis = -1;
    } else {
      millis = timeoutNanos / NANOS_PER_MILLI + (timeoutNanos % NANOS_PER_MILLI == 0 ? 0 : 1);
    }
    if (eventFd.await(millis)) {
      eventFd.read();
    }
  }

  /** Nothing to withdraw. */
  @Override
  public void disarm() {}

  /** Adds 1 to the eventfd counter. */
  @Override
  public void wakeLocal() {
    eventFd.signal(1);
  }

  /** Closes the eventfd; idempotent. */
  @Override
  public void close() {
    eventFd.close();
  }

  @Override
  public String toString() {
    return "EventFdInterruptSource[" + eventFd + "]";
  }
}
