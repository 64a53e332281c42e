package io.reactorvirtio.virtio.notify;

import io.reactorvirtio.virtio.internal.nativeio.EventFd;
import io.reactorvirtio.virtio.spi.Doorbell;

/**
 * Rings an {@link EventFd} by adding 1 to its counter. For pollers in the same process (or holding
 * the same descriptor) parked in an {@link EventFdInterruptSource}. Allocation-free; does not own
 * the eventfd.
 */
public final class EventFdDoorbell implements Doorbell {

  private final EventFd eventFd;

  /** @param eventFd the eventfd to signal; stays owned by the caller */
  EventFdDoorbell(EventFd eventFd) {
    this.eventFd = eventFd;
  }

  /**
   * Writes 1 to the eventfd.
   *
   * @throws IllegalStateException if the eventfd is closed
   * @throws io.reactorvirtio.virtio.internal.nativeio.NativeException if the write fails
   */
  @Override
  public void ring() {
    eventFd.signal(1);
  }

  @Override
  public String toString() {
    return "EventFdDoorbell[" + eventFd + "]";
  }
}
