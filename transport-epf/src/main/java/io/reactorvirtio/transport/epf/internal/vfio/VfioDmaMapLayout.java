package io.reactorvirtio.transport.epf.internal.vfio;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct vfio_iommu_type1_dma_map} (32 bytes), for {@link VfioIoctl#IOMMU_MAP_DMA}: makes
 * {@code size} bytes of this process's memory at {@code vaddr} visible to the device at bus
 * address {@code iova}. All three must be page-aligned; the pages are pinned (RLIMIT_MEMLOCK).
 *
 * <pre>
 *  +-------------------------------+-------------------------------+
 *  |          argsz (= 32)         |   flags: 1 READ, 2 WRITE      |  0
 *  +-------------------------------+-------------------------------+
 *  |                 vaddr: process virtual address, u64           |  8
 *  +---------------------------------------------------------------+
 *  |                 iova: device (bus) address, u64               | 16
 *  +---------------------------------------------------------------+
 *  |                 size in bytes, u64                            | 24
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class VfioDmaMapLayout {

  public static final long ARGSZ_OFFSET = 0;
  public static final long FLAGS_OFFSET = 4;
  public static final long VADDR_OFFSET = 8;
  public static final long IOVA_OFFSET = 16;
  public static final long SIZE_OFFSET = 24;
  public static final int SIZE = 32;

  /** The device may read the memory. */
  public static final int FLAG_READ = 1;
  /** The device may write the memory. */
  public static final int FLAG_WRITE = 2;

  private VfioDmaMapLayout() {}

  /**
   * Encodes a map request.
   *
   * @throws IllegalArgumentException if vaddr, iova or size is not a multiple of {@code pageSize}
   *     or size is not positive
   */
  public static void encode(MemorySegment s, int flags, long vaddr, long iova, long size, long pageSize) {
    if (size <= 0 || vaddr % pageSize != 0 || iova % pageSize != 0 || size % pageSize != 0) {
      throw new IllegalArgumentException("VFIO DMA map needs page-aligned vaddr, iova and size"
          + " (page " + pageSize + "): vaddr 0x" + Long.toHexString(vaddr) + ", iova 0x"
          + Long.toHexString(iova) + ", size " + size);
    }
    s.set(JAVA_INT, ARGSZ_OFFSET, SIZE);
    s.set(JAVA_INT, FLAGS_OFFSET, flags);
    s.set(JAVA_LONG, VADDR_OFFSET, vaddr);
    s.set(JAVA_LONG, IOVA_OFFSET, iova);
    s.set(JAVA_LONG, SIZE_OFFSET, size);
  }

  public static int flags(MemorySegment s) {
    return s.get(JAVA_INT, FLAGS_OFFSET);
  }

  public static long vaddr(MemorySegment s) {
    return s.get(JAVA_LONG, VADDR_OFFSET);
  }

  public static long iova(MemorySegment s) {
    return s.get(JAVA_LONG, IOVA_OFFSET);
  }

  public static long size(MemorySegment s) {
    return s.get(JAVA_LONG, SIZE_OFFSET);
  }
}
