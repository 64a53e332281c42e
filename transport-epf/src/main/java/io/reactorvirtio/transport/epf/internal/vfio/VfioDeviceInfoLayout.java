package io.reactorvirtio.transport.epf.internal.vfio;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct vfio_device_info} (20 bytes as FACTS §5.3 prints it; newer headers add a 4-byte
 * {@code pad}, and the kernel accepts any argsz ≥ 16), for {@link VfioIoctl#DEVICE_GET_INFO}:
 *
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                         argsz (= 20)                          |  0
 *  +---------------------------------------------------------------+
 *  |          flags: 1 RESET, 2 PCI, 0x80 CAPS, ... (out)          |  4
 *  +---------------------------------------------------------------+
 *  |                      num_regions (out)                        |  8
 *  +---------------------------------------------------------------+
 *  |                        num_irqs (out)                         | 12
 *  +---------------------------------------------------------------+
 *  |                      cap_offset (out)                         | 16
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class VfioDeviceInfoLayout {

  public static final long ARGSZ_OFFSET = 0;
  public static final long FLAGS_OFFSET = 4;
  public static final long NUM_REGIONS_OFFSET = 8;
  public static final long NUM_IRQS_OFFSET = 12;
  public static final long CAP_OFFSET_OFFSET = 16;
  public static final int SIZE = 20;

  public static final int FLAG_RESET = 1;
  public static final int FLAG_PCI = 2;

  private VfioDeviceInfoLayout() {}

  /** argsz = 20, everything else 0. */
  public static void init(MemorySegment s) {
    s.asSlice(0, SIZE).fill((byte) 0);
    s.set(JAVA_INT, ARGSZ_OFFSET, SIZE);
  }

  public static int flags(MemorySegment s) {
    return s.get(JAVA_INT, FLAGS_OFFSET);
  }

  public static int numRegions(MemorySegment s) {
    return s.get(JAVA_INT, NUM_REGIONS_OFFSET);
  }

  public static int numIrqs(MemorySegment s) {
    return s.get(JAVA_INT, NUM_IRQS_OFFSET);
  }

  public static int capOffset(MemorySegment s) {
    return s.get(JAVA_INT, CAP_OFFSET_OFFSET);
  }
}
