package io.reactorvirtio.virtio.spi;

import java.lang.foreign.MemorySegment;

/**
 * What a transport gives the virtio <em>driver</em> side of a link (PCIe root complex, NTB host 1):
 * the register block shared with the device, memory the driver owns and the device can reach (the
 * rings and buffers go there), the doorbell that rings the device, the interrupt source the
 * driver's poller parks on, and the hardware link state.
 *
 * <p>Implemented by the simulated backends ({@code /dev/shm} files) and the Linux backends (sysfs,
 * UIO, VFIO, NTB). {@code io.reactorvirtio.virtio.transport.VirtioTransportLink} runs the virtio
 * negotiation and the queues on top; the transport knows nothing of either.
 */
public interface DriverTransport extends AutoCloseable {

  /** A short name for logs and thread names, e.g. {@code epf-sim:demo}. */
  String name();

  /** The register block both sides negotiate through. */
  RegisterFile registers();

  /**
   * Memory the driver owns and the device reaches through its window: DMA-able RAM exposed
   * through an IOMMU mapping (EPF), the inbound memory window (NTB), part of a shared file
   * (simulated).
   */
  MemorySegment memory();

  /** The bus address at which the device sees byte 0 of {@link #memory()}. */
  long memoryBusAddress();

  /** Rings the device for queue {@code queue} (an available-buffer notification). Never blocks. */
  Doorbell deviceDoorbell(int queue);

  /** What the driver's poller parks on: the device's used-buffer notifications. */
  InterruptSource interrupts();

  /**
   * Whether the hardware link is up (an NTB link event, an EP controller started); {@code true}
   * where the hardware has no such notion. Cheap and non-blocking: polled by the link.
   */
  boolean hardwareLinkUp();

  /** Releases what the transport mapped and opened (not what the link built on it). */
  @Override
  void close();
}
