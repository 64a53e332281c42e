package io.reactorvirtio.benchmarks;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Issue 5's targets, computed within one run and only between figures with the same near/far
 * label (and neither disturbed). A ratio whose figures are missing, disturbed or differently placed
 * is printed as not comparable.
 */
final class Ratios {

  private Ratios() {}

  static Result find(List<Result> rs, String path, String kind, int payload, Predicate<String> mode) {
    Result best = null;
    for (Result r : rs) {
      Figure f = r.figure;
      if (f.path().equals(path) && f.kind().equals(kind) && f.payload() == payload && mode.test(f.mode())) {
        if (best == null) {
          best = r;
        }
      }
    }
    return best;
  }

  static Result busy(List<Result> rs, String path, String kind, int payload) {
    Result r = find(rs, path, kind, payload, m -> m.equals("busyPoll") || m.equals("busy") || m.equals("netty"));
    return r != null ? r : find(rs, path, kind, payload, m -> true);
  }

  static void print(PrintStream out, List<Result> rs) {
    out.println("Targets (issue 5; same run, same near/far label; rpmsg/flux in busyPoll, raw/agrona busy-spin):");
    String fmt = "  %-44s %5s  %-9s %-24s %s%n";
    for (int p : payloads(rs)) {
      compare(out, fmt, "rpmsg rtt p50 / agrona rtt p50 @" + p + " B", "<= 3", busy(rs, "rpmsg", "rtt", p),
          busy(rs, "agrona", "rtt", p), a -> a.p50, false, 3);
    }
    for (int p : payloads(rs)) {
      compare(out, fmt, "tcp rtt p50 / rpmsg rtt p50 @" + p + " B", ">= 50", busy(rs, "tcp", "rtt", p),
          busy(rs, "rpmsg", "rtt", p), a -> a.p50, true, 50);
    }
    compare(out, fmt, "rpmsg one-way / tcp one-way msgs/s @496 B", ">= 2", busy(rs, "rpmsg", "oneway", 496),
        busy(rs, "tcp", "oneway", 496), a -> a.rate, true, 2);
    for (int p : payloads(rs)) {
      compare(out, fmt, "raw one-way / agrona one-way msgs/s @" + p + " B", ">= 0.5", busy(rs, "raw", "oneway", p),
          busy(rs, "agrona", "oneway", p), a -> a.rate, true, 0.5);
    }
    double worst = 0;
    int n = 0;
    for (Result r : rs) {
      String path = r.figure.path();
      if ((path.equals("raw") || path.equals("flux")) && !r.figure.idle()) {
        worst = Math.max(worst, Math.max(nz(r.driverAllocPerMsg), nz(r.deviceAllocPerMsg)));
        n++;
      }
    }
    if (n > 0) {
      out.printf(Locale.ROOT, fmt, "B/msg on raw and flux (max of " + n + " figures)", "0", Table.alloc(worst),
          "", worst < 0.05 ? "reached" : "NOT reached");
    }
    for (Result r : rs) {
      if (r.figure.idle() && r.figure.mode().equals("parkOnly")) {
        double sum = r.driverIdleCpuPercent + r.deviceIdleCpuPercent;
        out.printf(Locale.ROOT, fmt, "idle link, parkOnly, both processes (% core)", "<< 1", Table.pct2(sum), "",
            sum < 0.5 ? "reached" : sum < 1 ? "under 1% but not well under" : "NOT reached");
      }
    }
  }

  /**
   * Informational, no target: what the {@code @RpmsgEndpoint} method costs over the plain Flux API
   * on the same rpmsg driver, figure by figure (same kind, payload and idle policy).
   */
  static void printSpringOverhead(PrintStream out, List<Result> rs) {
    String fmt = "  %-44s %5s  %-9s %-24s %s%n";
    boolean header = false;
    for (Result s : rs) {
      Figure f = s.figure;
      if (!f.path().equals("spring") || f.idle()) {
        continue;
      }
      Result r = find(rs, "rpmsg", f.kind(), f.payload(), m -> m.equals(f.mode()));
      if (r == null) {
        continue;
      }
      if (!header) {
        out.println("@RpmsgEndpoint overhead (informational; spring / rpmsg, same run, same near/far label):");
        header = true;
      }
      String what = f.rtt()
          ? "spring rtt p50 / rpmsg rtt p50 " + f.mode() + " @" + f.payload() + " B"
          : "spring / rpmsg one-way msgs/s " + f.mode() + " @" + f.payload() + " B";
      String labels = s.placement() + "/" + r.placement();
      if (!s.placement().equals(r.placement()) || s.placement().equals("mixed")) {
        out.printf(Locale.ROOT, fmt, what, "", "-", labels, "not comparable (placement differs or mixed)");
        continue;
      }
      double ratio = f.rtt() ? s.p50 / r.p50 : s.rate / r.rate;
      String dist = Table.disturbed(s) || Table.disturbed(r) ? "(disturbed!)" : "";
      out.printf(Locale.ROOT, fmt, what, "", String.format(Locale.ROOT, "%.2f", ratio), labels, dist);
    }
  }

  private static double nz(double d) {
    return Double.isNaN(d) ? 0 : d;
  }

  private static List<Integer> payloads(List<Result> rs) {
    return rs.stream().filter(r -> !r.figure.idle() && !r.figure.path().equals("cl"))
        .map(r -> r.figure.payload()).distinct().sorted().toList();
  }

  /** ratio = metric(a) / metric(b); higherIsBetter: reached when ratio >= target, else when <= target. */
  private static void compare(PrintStream out, String fmt, String what, String target, Result a, Result b,
      java.util.function.ToDoubleFunction<Result> metric, boolean higherIsBetter, double t) {
    if (a == null || b == null) {
      return;
    }
    String labels = a.placement() + "/" + b.placement();
    if (!a.placement().equals(b.placement()) || a.placement().equals("mixed")) {
      out.printf(Locale.ROOT, fmt, what, target, "-", labels, "not comparable (placement differs or mixed)");
      return;
    }
    double ratio = metric.applyAsDouble(a) / metric.applyAsDouble(b);
    boolean ok = higherIsBetter ? ratio >= t : ratio <= t;
    String dist = Table.disturbed(a) || Table.disturbed(b) ? " (disturbed!)" : "";
    out.printf(Locale.ROOT, fmt, what, target, String.format(Locale.ROOT, "%.2f", ratio), labels,
        (ok ? "reached" : "NOT reached") + dist);
  }
}
