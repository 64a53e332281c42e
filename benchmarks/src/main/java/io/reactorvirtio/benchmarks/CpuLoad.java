package io.reactorvirtio.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * CPU time used by other processes during a figure (from {@code /proc/stat} minus this JVM and the
 * peer), and the hypervisor's steal time: on a 2-vCPU machine any other busy process, or a busy
 * host, distorts every figure, so the table shows how much there was.
 */
final class CpuLoad {

  /** A snapshot: machine busy and steal time, our and the peer's CPU time, wall time (all ns). */
  record Snapshot(long busy, long steal, long ours, long wall) {}

  private static final long JIFFY_NANOS = 10_000_000L; // USER_HZ = 100 on Linux

  private CpuLoad() {}

  static Snapshot snapshot(ProcessHandle peer) {
    long busy = -1;
    long steal = -1;
    try {
      String first = Files.readAllLines(Path.of("/proc/stat")).getFirst();
      String[] f = first.trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal ...
      long user = Long.parseLong(f[1]);
      long nice = Long.parseLong(f[2]);
      long system = Long.parseLong(f[3]);
      long irq = Long.parseLong(f[6]);
      long softirq = Long.parseLong(f[7]);
      steal = Long.parseLong(f[8]) * JIFFY_NANOS;
      busy = (user + nice + system + irq + softirq) * JIFFY_NANOS;
    } catch (IOException | RuntimeException e) {
      // not Linux: leave unknown
    }
    long ours = cpu(ProcessHandle.current()) + (peer != null ? cpu(peer) : 0);
    return new Snapshot(busy, steal, ours, System.nanoTime());
  }

  private static long cpu(ProcessHandle p) {
    return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }

  /** Other processes' CPU use between two snapshots, in percent of one CPU (NaN when unknown). */
  static double otherPercent(Snapshot a, Snapshot b) {
    if (a.busy < 0 || b.busy < 0) {
      return Double.NaN;
    }
    double other = (b.busy - a.busy) - (b.ours - a.ours);
    return Math.max(0, 100.0 * other / (b.wall - a.wall));
  }

  /** Steal time between two snapshots, in percent of one CPU. */
  static double stealPercent(Snapshot a, Snapshot b) {
    if (a.steal < 0 || b.steal < 0) {
      return Double.NaN;
    }
    return 100.0 * (b.steal - a.steal) / (b.wall - a.wall);
  }
}
