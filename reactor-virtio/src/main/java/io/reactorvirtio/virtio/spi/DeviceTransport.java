package io.reactorvirtio.virtio.spi;

import io.reactorvirtio.virtio.memory.Window;

/**
 * What a transport gives the virtio <em>device</em> (vhost) side of a link (PCIe endpoint function,
 * NTB host 2): the register block shared with the driver, the window through which the device
 * reaches the driver's memory (an outbound ATU window, the peer memory window), the doorbell that
 * rings the driver, the interrupt source the device's poller parks on, and the hardware link state.
 *
 * <p>Everything reached through {@link #window()} is the peer's and untrusted: the device side
 * checks every ring address and descriptor against it.
 */
public interface DeviceTransport extends AutoCloseable {

  /** A short name for logs and thread names. */
  String name();

  /** The register block both sides negotiate through. */
  RegisterFile registers();

  /** The device's view of the driver's memory; addresses in rings and descriptors are bus addresses. */
  Window window();

  /** Rings the driver for queue {@code queue} (a used-buffer notification). Never blocks. */
  Doorbell driverDoorbell(int queue);

  /** What the device's poller parks on: the driver's available-buffer notifications. */
  InterruptSource interrupts();

  /** Whether the hardware link is up; {@code true} where the hardware has no such notion. */
  boolean hardwareLinkUp();

  @Override
  void close();
}
