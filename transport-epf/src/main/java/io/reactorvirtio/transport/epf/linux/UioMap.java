package io.reactorvirtio.transport.epf.linux;

import java.util.Optional;

/**
 * One memory map of a UIO device, from {@code /sys/class/uio/uioX/maps/mapN/}.
 *
 * @param index N: the map is selected by mmap offset N × page size
 * @param name the {@code name} file, if present
 * @param address the {@code addr} file (physical address, informational)
 * @param size the {@code size} file: the usable length in bytes
 * @param offset the {@code offset} file: where the region starts within the first mapped page
 */
public record UioMap(int index, Optional<String> name, long address, long size, long offset) {

  /**
   * The mmap length that covers the region: {@code offset + size} rounded up to whole pages (the
   * most the kernel allows for this map).
   */
  public long mappingLength(long pageSize) {
    long end = offset + size;
    return (end + pageSize - 1) / pageSize * pageSize;
  }
}
