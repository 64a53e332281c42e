package io.reactorvirtio.benchmarks;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes allocated by a set of threads (HotSpot's per-thread TLAB accounting), to show that
 * the steady state allocates nothing per message.
 */
public final class Alloc {

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  static {
    if (THREADS.isThreadAllocatedMemorySupported() && !THREADS.isThreadAllocatedMemoryEnabled()) {
      THREADS.setThreadAllocatedMemoryEnabled(true);
    }
  }

  private Alloc() {}

  /** Bytes allocated so far by all threads of this JVM (live and dead). */
  public static long total() {
    return THREADS.getTotalThreadAllocatedBytes();
  }

  /** Bytes allocated so far by the threads with these ids (dead threads count 0). */
  public static long bytes(long[] threadIds) {
    long sum = 0;
    for (long id : threadIds) {
      long b = THREADS.getThreadAllocatedBytes(id);
      if (b > 0) {
        sum += b;
      }
    }
    return sum;
  }

  /**
   * The id of the live thread whose name starts with {@code virtio-poller-} and contains
   * {@code part} (the link's file name), or -1.
   */
  public static long pollerThreadId(String part) {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("virtio-poller-") && t.getName().contains(part)) {
        return t.threadId();
      }
    }
    return -1;
  }

  /** Current thread plus the named poller; fails loudly when the poller cannot be found. */
  public static long[] selfAndPoller(String part) {
    long poller = pollerThreadId(part);
    if (poller < 0) {
      throw new BenchFailure("no thread named virtio-poller-*" + part + "* found");
    }
    return new long[] {Thread.currentThread().threadId(), poller};
  }
}
