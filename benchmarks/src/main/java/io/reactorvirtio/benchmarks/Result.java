package io.reactorvirtio.benchmarks;

import org.HdrHistogram.Histogram;

/** A measured figure (filled in by the driver side, then by the peer's report and the cache-line probes). */
final class Result {

  final Figure figure;
  /** Messages (one-way) or round trips (rtt) per second over the measured interval. */
  double rate;
  /** Messages or round trips in the measured interval. */
  long count;
  /** Round-trip percentiles in ns (NaN for one-way). */
  double p50 = Double.NaN;
  double p99 = Double.NaN;
  double p999 = Double.NaN;
  double max = Double.NaN;
  /** Bytes allocated per message by the measuring (driver) side's threads over the measured interval. */
  double driverAllocPerMsg = Double.NaN;
  /** The same on the peer (device) side, over its measured messages. */
  double deviceAllocPerMsg = Double.NaN;
  /** Process CPU ns of this JVM / the peer over the measured interval (-1: unknown). */
  long driverCpu = -1;
  long deviceCpu = -1;
  /** Idle figures: CPU of each process in % of one core while the link sat idle. */
  double driverIdleCpuPercent = Double.NaN;
  double deviceIdleCpuPercent = Double.NaN;
  long driverParks;
  long deviceParks;
  /** Data messages the driver sent in all (warm-up and measured); the peer must report the same. */
  long sent;
  /** Other processes' CPU use and steal time during the figure, in percent of one CPU. */
  double otherCpu = Double.NaN;
  double steal = Double.NaN;
  double clBefore = Double.NaN;
  double clAfter = Double.NaN;

  Result(Figure figure) {
    this.figure = figure;
  }

  void interval(long count, long nanos) {
    this.count = count;
    this.rate = count / (nanos / 1e9);
  }

  void latencies(Histogram h) {
    p50 = h.getValueAtPercentile(50);
    p99 = h.getValueAtPercentile(99);
    p999 = h.getValueAtPercentile(99.9);
    max = h.getMaxValue();
  }

  /** CPU seconds of both processes per million messages (one-way) or round trips (rtt); NaN if unknown. */
  double cpuPerMillion() {
    if (driverCpu < 0 || deviceCpu < 0 || count <= 0) {
      return Double.NaN;
    }
    return (driverCpu + deviceCpu) / 1e9 / count * 1e6;
  }

  String placement() {
    return CacheLine.label(clBefore, clAfter);
  }
}
