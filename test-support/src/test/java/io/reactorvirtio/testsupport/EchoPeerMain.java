package io.reactorvirtio.testsupport;

import java.util.List;

/** Peer main for {@link PeerProcessTest}: behaviour chosen by the first argument. */
public final class EchoPeerMain {

  private EchoPeerMain() {}

  /**
   * {@code exit3 <words>}: prints the words and a line on stderr, exits 3. {@code sleep}: prints
   * READY and sleeps for a minute. {@code silent}: exits 7 without printing.
   */
  public static void main(String[] args) throws InterruptedException {
    switch (args[0]) {
      case "exit3" -> {
        System.out.println("hello " + String.join(" ", List.of(args).subList(1, args.length)));
        System.err.println("to stderr");
        System.exit(3);
      }
      case "sleep" -> {
        System.out.println("READY pid " + ProcessHandle.current().pid());
        Thread.sleep(60_000);
      }
      case "silent" -> System.exit(7);
      default -> throw new IllegalArgumentException(args[0]);
    }
  }
}
