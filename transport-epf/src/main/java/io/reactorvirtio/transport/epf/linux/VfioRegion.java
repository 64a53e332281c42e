package io.reactorvirtio.transport.epf.linux;

/**
 * One VFIO device region as {@code VFIO_DEVICE_GET_REGION_INFO} reports it. PCI indices: BAR0–5 =
 * 0–5, ROM 6, config 7, VGA 8.
 *
 * @param index the region index
 * @param flags 1 READ, 2 WRITE, 4 MMAP, 8 CAPS
 * @param size the region size in bytes (0: not implemented)
 * @param offset where the region starts in the device file (for mmap/pread)
 */
public record VfioRegion(int index, int flags, long size, long offset) {

  /** The region can be mapped ({@code VFIO_REGION_INFO_FLAG_MMAP}). */
  public boolean mappable() {
    return (flags & 4) != 0;
  }
}
