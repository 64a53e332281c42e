package io.reactorvirtio.benchmarks;

import java.lang.management.ManagementFactory;

/**
 * This process's CPU time (all threads, user + system, nanosecond resolution from
 * {@code OperatingSystemMXBean.getProcessCpuTime}) over a figure's measured interval: the measuring
 * loop calls {@link #start} where it starts measuring and {@link #end} where it stops; each side of
 * a figure (this JVM and the peer) reports its own.
 */
public final class Cpu {

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private static volatile long start = -1;
  private static volatile long end = -1;

  private Cpu() {}

  /** Process CPU time so far, in ns. */
  public static long now() {
    return OS.getProcessCpuTime();
  }

  /** Forgets the previous figure's marks. */
  public static void reset() {
    start = -1;
    end = -1;
  }

  /** The measured interval starts (the first call of a figure counts). */
  public static void start() {
    if (start < 0) {
      start = now();
    }
  }

  /** The measured interval ends. */
  public static void end() {
    end = now();
  }

  /** CPU ns between {@link #start} and {@link #end}, or -1 when either is missing. */
  public static long elapsed() {
    long s = start;
    long e = end;
    return s < 0 || e < 0 ? -1 : e - s;
  }
}
