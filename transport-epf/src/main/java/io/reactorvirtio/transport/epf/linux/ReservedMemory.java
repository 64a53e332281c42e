package io.reactorvirtio.transport.epf.linux;

import java.nio.file.Path;

/**
 * The escape hatch for {@link LinuxEpfRc#openSysfs}: memory the endpoint can reach by DMA without
 * VFIO, supplied by the caller, who vouches for its bus address. Typically a carve-out the kernel
 * never uses ({@code reserved-memory} with {@code no-map} in the device tree, or {@code memmap=}
 * on x86), mapped through {@code /dev/mem} at its physical address, or a {@code uio_dmem_genirq}
 * region. Without an IOMMU translating for the endpoint, bus address = physical address; with one,
 * it is whatever the IOMMU maps there — this class cannot check either.
 *
 * <p>Mapped with raw {@code mmap(2)} of {@code device} at {@code offset} for {@code size} bytes.
 * Untested on hardware; whether {@code /dev/mem} allows the range depends on
 * {@code CONFIG_STRICT_DEVMEM} and how the carve-out is reserved (unconfirmed).
 *
 * @param device the file to map, e.g. {@code /dev/mem} or {@code /dev/uio1}
 * @param offset mmap offset in that file (page-aligned), e.g. the physical address for /dev/mem
 * @param size bytes, positive
 * @param busAddress the address at which the endpoint reaches byte 0
 */
public record ReservedMemory(Path device, long offset, long size, long busAddress) {

  /** Checks that offset is non-negative and size positive (page alignment is checked at mmap). */
  public ReservedMemory {
    if (offset < 0 || size <= 0) {
      throw new IllegalArgumentException(
          "reserved memory needs offset >= 0 and size > 0: offset " + offset + ", size " + size);
    }
  }
}
