package io.reactorvirtio.transport.epf.internal.vfio;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct vfio_group_status} (8 bytes, native order), for {@link
 * VfioIoctl#GROUP_GET_STATUS}:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         argsz (= 8)                           |  0
 *  +---------------------------------------------------------------+
 *  |             flags: 1 VIABLE, 2 CONTAINER_SET (out)            |  4
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class VfioGroupStatusLayout {

  public static final long ARGSZ_OFFSET = 0;
  public static final long FLAGS_OFFSET = 4;
  public static final int SIZE = 8;

  /** All devices of the group are bound to VFIO (or unbound). */
  public static final int FLAG_VIABLE = 1;
  /** The group is attached to a container. */
  public static final int FLAG_CONTAINER_SET = 2;

  private VfioGroupStatusLayout() {}

  /** Prepares a request: argsz = 8, flags = 0. */
  public static void init(MemorySegment s) {
    s.set(JAVA_INT, ARGSZ_OFFSET, SIZE);
    s.set(JAVA_INT, FLAGS_OFFSET, 0);
  }

  public static int flags(MemorySegment s) {
    return s.get(JAVA_INT, FLAGS_OFFSET);
  }
}
