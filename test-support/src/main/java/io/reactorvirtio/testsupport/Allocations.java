package io.reactorvirtio.testsupport;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Measures heap allocation of the current thread, to check that steady-state paths allocate
 * nothing per call.
 *
 * <pre>{@code
 * long bytes = Allocations.allocatedBy(20_000, 10_000, () -> doorbell.ring());
 * assertThat(bytes).isLessThan(1024);   // i.e. nothing per call
 * }</pre>
 */
public final class Allocations {

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Allocations() {}

  /** How long to keep measuring rounds while they still allocate, by default. */
  private static final Duration DEFAULT_BUDGET = Duration.ofSeconds(15);

  /**
   * Runs {@code action} {@code warmup} times (so the JIT compiles it), then returns the bytes the
   * current thread allocated while running it {@code calls} more times.
   *
   * <p>Rounds of {@code calls} are repeated until one allocates nothing, for at most 15 seconds,
   * and the least result is returned. This measures "allocation-free once compiled by C2": some
   * paths rely on C2's escape analysis (FFM downcalls that capture {@code errno} slice the
   * capture segment on every call), and the JIT may deoptimise and run C1 code for a while (C1
   * has no escape analysis) when classes load or an agent retransforms, long after the warm-up.
   *
   * @throws IllegalStateException if the JVM cannot measure thread allocation
   */
  public static long allocatedBy(int warmup, int calls, Runnable action) {
    return allocatedBy(warmup, calls, DEFAULT_BUDGET, action);
  }

  /**
   * Like {@link #allocatedBy(int, int, Runnable)}, but measures rounds for at most {@code budget}
   * (at least one round).
   */
  public static long allocatedBy(int warmup, int calls, Duration budget, Runnable action) {
    if (!THREADS.isThreadAllocatedMemorySupported()) {
      throw new IllegalStateException("thread allocation measurement is not supported");
    }
    if (!THREADS.isThreadAllocatedMemoryEnabled()) {
      THREADS.setThreadAllocatedMemoryEnabled(true);
    }
    for (int i = 0; i < warmup; i++) {
      action.run();
    }
    long least = Long.MAX_VALUE;
    long start = System.nanoTime();
    long budgetNanos = budget.toNanos();
    do {
      long before = THREADS.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < calls; i++) {
        action.run();
      }
      least = Math.min(least, THREADS.getCurrentThreadAllocatedBytes() - before);
    } while (least > 0 && System.nanoTime() - start < budgetNanos);
    return least;
  }
}
