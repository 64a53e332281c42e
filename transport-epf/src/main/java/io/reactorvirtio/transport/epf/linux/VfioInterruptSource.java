package io.reactorvirtio.transport.epf.linux;

import io.reactorvirtio.virtio.internal.nativeio.EventFd;
import io.reactorvirtio.virtio.spi.InterruptSource;

/**
 * An {@link InterruptSource} over the eventfd VFIO signals for one interrupt vector (MSI-X/MSI
 * via {@code VFIO_DEVICE_SET_IRQS}). The eventfd counter remembers every interrupt until read, so
 * {@link #arm()} needs no snapshot; {@link #await} polls it and drains it; {@link #wakeLocal()}
 * adds 1. Each instance owns its eventfd.
 */
public final class VfioInterruptSource implements InterruptSource {

  private static final long NANOS_PER_MILLI = 1_000_000L;

  private final int vector;
  private final EventFd eventFd;

  VfioInterruptSource(int vector, EventFd eventFd) {
    this.vector = vector;
    this.eventFd = eventFd;
  }

  /** Creates a source over a new non-blocking eventfd (register {@link #fd()} with VFIO). */
  static VfioInterruptSource create(int vector) {
    return new VfioInterruptSource(vector, EventFd.create(0, EventFd.NONBLOCK | EventFd.CLOEXEC));
  }

  /** The interrupt vector this eventfd is assigned to. */
  public int vector() {
    return vector;
  }

  /** The eventfd's descriptor number. */
  int fd() {
    return eventFd.fd();
  }

  /** Adds to the counter as VFIO's interrupt handler does (for tests). */
  void signal() {
    eventFd.signal(1);
  }

  /** Returns 0: the eventfd counter keeps notifications. */
  @Override
  public int arm() {
    return 0;
  }

  /** Polls the eventfd (timeout rounded up to milliseconds; negative = no bound) and drains it. */
  @Override
  public void await(int token, long timeoutNanos) {
    long millis = timeoutNanos < 0 ? -1
        : timeoutNanos / NANOS_PER_MILLI + (timeoutNanos % NANOS_PER_MILLI == 0 ? 0 : 1);
    if (eventFd.await(millis)) {
      eventFd.read();
    }
  }

  @Override
  public void disarm() {}

  @Override
  public void wakeLocal() {
    eventFd.signal(1);
  }

  /** Closes the eventfd (unassign it from VFIO first: {@link VfioDevice#disableMsix()}). */
  @Override
  public void close() {
    eventFd.close();
  }

  @Override
  public String toString() {
    return "VfioInterruptSource[vector " + vector + ", " + eventFd + "]";
  }
}
