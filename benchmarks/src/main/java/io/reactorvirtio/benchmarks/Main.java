package io.reactorvirtio.benchmarks;

import java.util.Arrays;

/**
 * Entry point of {@code benchmarks.jar}: {@code ring [options]} runs the two-process ring harness
 * ({@link RingBench}), {@code jmh [JMH options]} runs the JMH benchmarks (e.g. {@code jmh
 * RingRoundTripBenchmark -prof gc}).
 */
public final class Main {

  private Main() {}

  /**
   * The side-by-side comparison (issue 5): every system at 16, 64, 256 and 496 B, one-way and round
   * trip, then the poller policies; options given after {@code compare} override these.
   */
  static final String[] COMPARE = {
    "--only", "cl,raw,flux,rpmsg,spring,agrona,tcp",
    "--payloads", "16,64,256,496",
    "--kinds", "oneway,rtt",
    "--raw-modes", "busy",
    "--flux-modes", "busyPoll",
    "--rpmsg-modes", "busyPoll",
    "--spring-modes", "busyPoll",
    "--policies", "busyPoll,spin50us,parkOnly",
    "--warmup-ms", "1000",
    "--measure-ms", "2000",
    "--cl-ms", "300",
    "--interleave",
  };

  static String[] compareArgs(String[] rest) {
    String[] all = Arrays.copyOf(COMPARE, COMPARE.length + rest.length);
    System.arraycopy(rest, 0, all, COMPARE.length, rest.length);
    return all;
  }

  public static void main(String[] args) throws Exception {
    String cmd = args.length == 0 ? "help" : args[0];
    String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
    switch (cmd) {
      case "ring" -> RingBench.main(rest);
      case "compare" -> RingBench.main(compareArgs(rest));
      case "jmh" -> org.openjdk.jmh.Main.main(rest);
      case "help", "-h", "--help" -> {
        System.out.println("""
            usage: benchmarks.jar compare [ring options]                           issue 5's side-by-side table
                   benchmarks.jar ring [--quick] [--only raw|flux] [options]   two-process ring harness
                   benchmarks.jar ring --help                                  its options
                   benchmarks.jar jmh [JMH options]                            JMH, e.g. jmh -prof gc RingRoundTripBenchmark
            """);
      }
      default -> {
        System.err.println("unknown command '" + cmd + "' (try: ring, jmh, help)");
        System.exit(2);
      }
    }
  }
}
