package io.reactorvirtio.transport.epf.internal.vfio;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct vfio_irq_set} with {@code n} trailing s32 eventfds (20 + 4n bytes), for {@link
 * VfioIoctl#DEVICE_SET_IRQS}. To route MSI-X vectors 0..n-1 to eventfds: flags {@link
 * #DATA_EVENTFD} | {@link #ACTION_TRIGGER}, index 2, start 0, count n; an fd of -1 unassigns that
 * vector. count 0 with {@link #DATA_NONE} | {@link #ACTION_TRIGGER} disables the index.
 *
 * <pre>
 *  +-------------------------------+-------------------------------+
 *  |       argsz (= 20 + 4n)       |  flags: DATA_* | ACTION_*     |  0
 *  +-------------------------------+-------------------------------+
 *  |      index (IRQ index)        |      start (first vector)     |  8
 *  +-------------------------------+-------------------------------+
 *  |      count (= n vectors)      |      data[0]: eventfd         | 16
 *  +-------------------------------+-------------------------------+
 *  |      data[1] ...              |      ... data[n-1]            | 24
 *  +-------------------------------+-------------------------------+
 * </pre>
 */
public final class VfioIrqSetLayout {

  public static final long ARGSZ_OFFSET = 0;
  public static final long FLAGS_OFFSET = 4;
  public static final long INDEX_OFFSET = 8;
  public static final long START_OFFSET = 12;
  public static final long COUNT_OFFSET = 16;
  public static final long DATA_OFFSET = 20;
  public static final int HEADER_SIZE = 20;

  public static final int DATA_NONE = 1;
  public static final int DATA_BOOL = 2;
  public static final int DATA_EVENTFD = 4;
  public static final int ACTION_MASK = 8;
  public static final int ACTION_UNMASK = 0x10;
  public static final int ACTION_TRIGGER = 0x20;

  private VfioIrqSetLayout() {}

  /** 20 + 4 × eventfds. */
  public static int size(int eventfds) {
    if (eventfds < 0) {
      throw new IllegalArgumentException("eventfd count must be non-negative: " + eventfds);
    }
    return HEADER_SIZE + 4 * eventfds;
  }

  /** Offset of data[i]. */
  public static long dataOffset(int i) {
    return DATA_OFFSET + 4L * i;
  }

  /**
   * Encodes a DATA_EVENTFD | ACTION_TRIGGER request routing vectors {@code start ..} of {@code
   * index} to {@code eventfds} (count = eventfds.length, argsz = 20 + 4n).
   *
   * @throws IllegalArgumentException if the segment is shorter than {@link #size(int)}
   */
  public static void encodeEventFds(MemorySegment s, int index, int start, int[] eventfds) {
    int size = size(eventfds.length);
    if (s.byteSize() < size) {
      throw new IllegalArgumentException("vfio_irq_set with " + eventfds.length + " eventfds needs "
          + size + " bytes; segment has " + s.byteSize());
    }
    s.set(JAVA_INT, ARGSZ_OFFSET, size);
    s.set(JAVA_INT, FLAGS_OFFSET, DATA_EVENTFD | ACTION_TRIGGER);
    s.set(JAVA_INT, INDEX_OFFSET, index);
    s.set(JAVA_INT, START_OFFSET, start);
    s.set(JAVA_INT, COUNT_OFFSET, eventfds.length);
    for (int i = 0; i < eventfds.length; i++) {
      s.set(JAVA_INT, dataOffset(i), eventfds[i]);
    }
  }

  /** Encodes DATA_NONE | ACTION_TRIGGER with count 0: disables every vector of {@code index}. */
  public static void encodeDisable(MemorySegment s, int index) {
    s.set(JAVA_INT, ARGSZ_OFFSET, HEADER_SIZE);
    s.set(JAVA_INT, FLAGS_OFFSET, DATA_NONE | ACTION_TRIGGER);
    s.set(JAVA_INT, INDEX_OFFSET, index);
    s.set(JAVA_INT, START_OFFSET, 0);
    s.set(JAVA_INT, COUNT_OFFSET, 0);
  }

  public static int argsz(MemorySegment s) {
    return s.get(JAVA_INT, ARGSZ_OFFSET);
  }

  public static int flags(MemorySegment s) {
    return s.get(JAVA_INT, FLAGS_OFFSET);
  }

  public static int index(MemorySegment s) {
    return s.get(JAVA_INT, INDEX_OFFSET);
  }

  public static int start(MemorySegment s) {
    return s.get(JAVA_INT, START_OFFSET);
  }

  public static int count(MemorySegment s) {
    return s.get(JAVA_INT, COUNT_OFFSET);
  }

  public static int eventFd(MemorySegment s, int i) {
    return s.get(JAVA_INT, dataOffset(i));
  }
}
