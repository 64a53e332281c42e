package io.reactorvirtio.transport.epf.sim;

import java.time.Duration;

/**
 * How a simulated RC/EP pair is built (chosen by the RC side, read by the EP side from the file).
 *
 * @param memorySize bytes of root-complex memory for rings and buffers (page multiple, 64 KiB..1 GiB)
 * @param busBase the bus address the EP sees that memory at (page-aligned; not 0, so that a
 *     driver writing file offsets instead of bus addresses is caught)
 * @param pollInterval {@code null}: the EP has a doorbell interrupt (the mainline EP doorbell,
 *     FACTS §5.4); otherwise the EP has none and polls its rings this often (the RFC: 1 ms)
 */
public record EpfSimOptions(long memorySize, long busBase, @org.jspecify.annotations.Nullable Duration pollInterval) {

  public static final long DEFAULT_BUS_BASE = 0x0000_0080_0000_0000L;

  public EpfSimOptions {
    if (memorySize < 0x10000 || memorySize > (1L << 30) || memorySize % 4096 != 0) {
      throw new IllegalArgumentException("EPF simulation: memory size " + memorySize
          + " must be a multiple of 4096 in [64 KiB, 1 GiB]");
    }
    if (busBase == 0 || busBase % 4096 != 0 || busBase + memorySize < busBase) {
      throw new IllegalArgumentException("EPF simulation: bus base 0x" + Long.toHexString(busBase)
          + " must be non-zero, page-aligned, and leave room for the memory");
    }
    if (pollInterval != null && (pollInterval.toNanos() < 1_000 || pollInterval.toSeconds() >= 1)) {
      throw new IllegalArgumentException("EPF simulation: poll interval " + pollInterval + " must be in [1 µs, 1 s)");
    }
  }

  /** 4 MiB of RC memory at {@link #DEFAULT_BUS_BASE}, with an EP doorbell. */
  public static EpfSimOptions defaults() {
    return new EpfSimOptions(4L << 20, DEFAULT_BUS_BASE, null);
  }

  public EpfSimOptions withMemorySize(long bytes) {
    return new EpfSimOptions(bytes, busBase, pollInterval);
  }

  /** An EP without a doorbell interrupt that polls every {@code interval}. */
  public EpfSimOptions withPolling(Duration interval) {
    return new EpfSimOptions(memorySize, busBase, interval);
  }
}
