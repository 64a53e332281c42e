package io.reactorvirtio.transport.epf.internal.vfio;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct vfio_irq_info} (16 bytes), for {@link VfioIoctl#DEVICE_GET_IRQ_INFO}:
 *
 * <pre>
 *  +-------------------------------+-------------------------------+
 *  |          argsz (= 16)         | flags: 1 EVENTFD 2 MASKABLE   |  0
 *  |                               | 4 AUTOMASKED 8 NORESIZE (out) |
 *  +-------------------------------+-------------------------------+
 *  |   index (in): 0 INTX 1 MSI    |   count: vectors (out)        |  8
 *  |   2 MSIX 3 ERR 4 REQ          |                               |
 *  +-------------------------------+-------------------------------+
 * </pre>
 */
public final class VfioIrqInfoLayout {

  public static final long ARGSZ_OFFSET = 0;
  public static final long FLAGS_OFFSET = 4;
  public static final long INDEX_OFFSET = 8;
  public static final long COUNT_OFFSET = 12;
  public static final int SIZE = 16;

  public static final int FLAG_EVENTFD = 1;
  public static final int FLAG_MASKABLE = 2;
  public static final int FLAG_AUTOMASKED = 4;
  public static final int FLAG_NORESIZE = 8;

  private VfioIrqInfoLayout() {}

  /** argsz = 16, index, flags and count 0. */
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

  public static int count(MemorySegment s) {
    return s.get(JAVA_INT, COUNT_OFFSET);
  }
}
