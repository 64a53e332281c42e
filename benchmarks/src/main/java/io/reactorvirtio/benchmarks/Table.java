package io.reactorvirtio.benchmarks;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The plain-text result table. */
final class Table {

  private Table() {}

  static void print(PrintStream out, RingBench.Options o, List<Result> results) {
    Runtime rt = Runtime.getRuntime();
    out.printf(Locale.ROOT, "Reactor Virtio side-by-side benchmark: Java %s, %d CPUs, queue %d x %d B, EVENT_IDX, "
            + "warm-up %.2f s, measure %.2f s per figure%s%n",
        Runtime.version(), rt.availableProcessors(), o.queueSize(), o.bufferSize(), o.warmupNanos() / 1e9,
        o.measureNanos() / 1e9, o.quick() ? " (--quick)" : "");
    out.printf(Locale.ROOT, "raw futex mode: spin %d us before parking; flux modes: IdlePolicy on both links%n",
        o.futexSpinNanos() / 1000);
    String fmt = "%-6s %-7s %-9s %5s | %9s %7s | %7s %7s %7s %7s | %6s %6s | %6s | %6s %6s | %5s %5s %-5s | %5s %5s%n";
    out.printf(Locale.ROOT, fmt, "path", "test", "mode", "bytes", "rate", "count", "p50", "p99", "p99.9", "max",
        "B/msg", "B/msg", "CPU s", "parks", "parks", "CL ns", "CL ns", "", "other", "steal");
    out.printf(Locale.ROOT, fmt, "", "", "", "", "per s", "", "us", "us", "us", "us", "drv", "dev", "per M",
        "drv", "dev", "befor", "after", "place", "CPU%", "CPU%");
    String rule = "-".repeat(160);
    out.println(rule);
    int busy = 0;
    List<Result> idle = new java.util.ArrayList<>();
    for (Result r : results) {
      Figure f = r.figure;
      boolean disturbed = disturbed(r);
      if (disturbed) {
        busy++;
      }
      if (f.idle()) {
        idle.add(r);
        continue;
      }
      out.printf(Locale.ROOT, fmt, f.path(), f.rtt() ? "rtt" : "one-way", f.mode(), f.payload(), rate(r.rate),
          count(r.count), us(r.p50), us(r.p99), us(r.p999), us(r.max), alloc(r.driverAllocPerMsg),
          alloc(r.deviceAllocPerMsg), cpu(r.cpuPerMillion()), count(r.driverParks), count(r.deviceParks),
          ns(r.clBefore), ns(r.clAfter), r.placement(), pct(r.otherCpu) + (disturbed ? "!" : ""), pct(r.steal));
    }
    out.println(rule);
    if (!idle.isEmpty()) {
      out.println("Idle link (flux, both links attached, nothing sent): CPU of each whole process in % of one core");
      String ifmt = "%-10s | %7s %7s %7s | %7s | %5s %5s %-5s | %5s %5s%n";
      out.printf(Locale.ROOT, ifmt, "policy", "drv %", "dev %", "sum %", "parks", "CL ns", "CL ns", "place", "other",
          "steal");
      for (Result r : idle) {
        double sum = r.driverIdleCpuPercent + r.deviceIdleCpuPercent;
        out.printf(Locale.ROOT, ifmt, r.figure.mode(), pct2(r.driverIdleCpuPercent), pct2(r.deviceIdleCpuPercent),
            pct2(sum), count(r.driverParks), ns(r.clBefore), ns(r.clAfter), r.placement(),
            pct(r.otherCpu) + (disturbed(r) ? "!" : ""), pct(r.steal));
      }
      out.println(rule);
    }
    Ratios.print(out, results);
    Ratios.printSpringOverhead(out, results);
    out.println(rule);
    out.println("path: raw = our split virtqueue, no Reactor; flux = our Virtqueue send/receive (Flux API); rpmsg = our"
        + " rpmsg endpoints (Flux API); spring = our rpmsg through a Spring Boot @RpmsgEndpoint(blocking = false)"
        + " method in the peer (its link: rpmsg.links.bench, shm device; the message's payload returned as the echo,"
        + " copied by the starter into a ring buffer), the parent the same rpmsg Flux-API driver; tcp = Reactor Netty TCP on 127.0.0.1, 4-byte length prefix; agrona ="
        + " Agrona OneToOneRingBuffer in a /dev/shm file; cl = a cache-line ping-pong (the floor). All two processes.");
    out.println("rate: one-way = messages per second (raw/flux/rpmsg/spring: sent, consumed and completed; agrona: written;"
        + " tcp: received by the server); rtt = round trips per second (one message in flight).");
    out.println("p50/p99/p99.9/max: round-trip latency (send -> echo received and checked) in microseconds.");
    out.println("B/msg: heap bytes allocated per message over the measured interval (ThreadMXBean); drv ="
        + " this JVM's measuring thread (+ its link's virtio-poller thread for flux/rpmsg/spring; the whole JVM for tcp);"
        + " dev = the same in the peer.");
    out.println("CPU s per M: CPU seconds of both processes (each its own process CPU time over its measured interval)"
        + " per million messages (one-way) or round trips (rtt).");
    out.println("parks: times each side parked in the kernel (futex wait) during the figure (incl. warm-up); '-':"
        + " unknown (spring dev: the starter does not expose its link's park count).");
    out.printf(Locale.ROOT, "CL ns: cache-line ping-pong round trip measured in this JVM before/after the figure;"
        + " place = near (both < %.0f ns), far (both > %.0f ns) or mixed.%n", CacheLine.NEAR_BELOW_NS,
        CacheLine.FAR_ABOVE_NS);
    out.println("other/steal CPU%: CPU used by other processes on this machine / stolen by the hypervisor during"
        + " the figure, in % of one CPU.");
    out.println("bulk MB/s: not measured: no path fragments messages (rpmsg MTU 496 B, one buffer per message).");
    if (busy > 0) {
      out.printf(Locale.ROOT, "WARNING: %d of %d figures ran while other processes or the host used more than"
          + " %.0f%% of a CPU (marked !): those figures are not representative; re-run on an idle machine.%n",
          busy, results.size(), DISTURBED_PERCENT);
    }
  }

  static boolean disturbed(Result r) {
    return r.otherCpu > DISTURBED_PERCENT || r.steal > DISTURBED_PERCENT;
  }

  static String cpu(double s) {
    return Double.isNaN(s) ? "-" : s < 10 ? String.format(Locale.ROOT, "%.2f", s) : String.format(Locale.ROOT, "%.0f", s);
  }

  static String pct2(double p) {
    return Double.isNaN(p) ? "-" : String.format(Locale.ROOT, "%.3f", p);
  }

  static final double DISTURBED_PERCENT = 10;

  static String pct(double p) {
    return Double.isNaN(p) ? "-" : String.format(Locale.ROOT, "%.0f", p);
  }

  static String rate(double r) {
    if (Double.isNaN(r)) {
      return "-";
    }
    if (r >= 1e6) {
      return String.format(Locale.ROOT, "%.2f M", r / 1e6);
    }
    if (r >= 1e3) {
      return String.format(Locale.ROOT, "%.1f k", r / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", r);
  }

  static String count(long c) {
    if (c < 0) {
      return "-";
    }
    if (c >= 10_000_000) {
      return String.format(Locale.ROOT, "%.1fM", c / 1e6);
    }
    if (c >= 100_000) {
      return String.format(Locale.ROOT, "%.0fk", c / 1e3);
    }
    return Long.toString(c);
  }

  static String us(double ns) {
    if (Double.isNaN(ns)) {
      return "-";
    }
    double us = ns / 1000;
    if (us < 10) {
      return String.format(Locale.ROOT, "%.2f", us);
    }
    if (us < 1000) {
      return String.format(Locale.ROOT, "%.1f", us);
    }
    return String.format(Locale.ROOT, "%.0f", us);
  }

  static String alloc(double b) {
    if (Double.isNaN(b)) {
      return "-";
    }
    return b < 10 ? String.format(Locale.ROOT, "%.3f", b) : String.format(Locale.ROOT, "%.0f", b);
  }

  static String ns(double ns) {
    return Double.isNaN(ns) ? "-" : String.format(Locale.ROOT, "%.0f", ns);
  }
}
