package io.reactorvirtio.benchmarks;

import java.util.Arrays;

/**
 * Entry point of {@code benchmarks.jar}: {@code ring [options]} runs the two-process ring harness
 * ({@link RingBench}), {@code jmh [JMH options]} runs the JMH benchmarks (e.g. {@code jmh
 * RingRoundTripBenchmark -prof gc}).
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) throws Exception {
    String cmd = args.length == 0 ? "help" : args[0];
    String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
    switch (cmd) {
      case "ring" -> RingBench.main(rest);
      case "jmh" -> org.openjdk.jmh.Main.main(rest);
      case "help", "-h", "--help" -> {
        System.out.println("""
            usage: benchmarks.jar ring [--quick] [--only raw|flux] [options]   two-process ring harness
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
