package io.reactorvirtio.transport.epf.internal.vfio;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct vfio_region_info} (32 bytes), for {@link VfioIoctl#DEVICE_GET_REGION_INFO}: the
 * caller sets argsz and index; the kernel fills the rest. Map a region by {@code mmap} of the
 * device fd at {@code offset} (never compute it from the index).
 *
 * <pre>
 *  +-------------------------------+-------------------------------+
 *  |          argsz (= 32)         |  flags: 1 READ 2 WRITE 4 MMAP |  0
 *  |                               |         8 CAPS (out)          |
 *  +-------------------------------+-------------------------------+
 *  |          index (in)           |      cap_offset (out)         |  8
 *  +-------------------------------+-------------------------------+
 *  |                       size, u64 (out)                         | 16
 *  +---------------------------------------------------------------+
 *  |              offset into the device fd, u64 (out)             | 24
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class VfioRegionInfoLayout {

  public static final long ARGSZ_OFFSET = 0;
  public static final long FLAGS_OFFSET = 4;
  public static final long INDEX_OFFSET = 8;
  public static final long CAP_OFFSET_OFFSET = 12;
  public static final long SIZE_OFFSET = 16;
  public static final long OFFSET_OFFSET = 24;
  public static final int SIZE = 32;

  public static final int FLAG_READ = 1;
  public static final int FLAG_WRITE = 2;
  public static final int FLAG_MMAP = 4;
  public static final int FLAG_CAPS = 8;

  private VfioRegionInfoLayout() {}

  /** argsz = 32, index, everything else 0. */
  public static void init(MemorySegment s, int index) {
    s.asSlice(0, SIZE).fill((byte) 0);
    s.set(JAVA_INT, ARGSZ_OFFSET, SIZE);
    s.set(JAVA_INT, INDEX_OFFSET, index);
  }

  public static int flags(MemorySegment s) {
    return s.get(JAVA_INT, FLAGS_OFFSET);
  }

  public static int index(MemorySegment s) {
    return s.get(JAVA_INT, INDEX_OFFSET);
  }

  public static int capOffset(MemorySegment s) {
    return s.get(JAVA_INT, CAP_OFFSET_OFFSET);
  }

  public static long size(MemorySegment s) {
    return s.get(JAVA_LONG, SIZE_OFFSET);
  }

  public static long offset(MemorySegment s) {
    return s.get(JAVA_LONG, OFFSET_OFFSET);
  }
}
