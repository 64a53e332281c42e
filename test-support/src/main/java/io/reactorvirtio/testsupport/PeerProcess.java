package io.reactorvirtio.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM started for a two-process test: same {@code java} executable, same class path,
 * native access enabled, standard output and error appended to one log file under {@code
 * java.io.tmpdir}.
 *
 * <p>The log file is kept after {@link #close()} so that a failed run can be inspected; all
 * assertion failures of this class quote its tail.
 *
 * <pre>{@code
 * try (PeerProcess peer = PeerProcess.start(MyPeerMain.class, path.toString())) {
 *   peer.awaitLine("READY", Duration.ofSeconds(20));
 *   ...
 *   assertThat(peer.waitFor(Duration.ofSeconds(20))).isZero();
 * }
 * }</pre>
 */
public final class PeerProcess implements AutoCloseable {

  /** Heap of a peer JVM; peers are small test mains. */
  private static final String HEAP_FLAG = "-Xmx256m";

  private static final int TAIL_LINES = 60;
  private static final long POLL_MILLIS = 10;

  private final Process process;
  private final Path logFile;
  private final String name;

  private PeerProcess(Process process, Path logFile, String name) {
    this.process = process;
    this.logFile = logFile;
    this.name = name;
  }

  /**
   * Starts {@code mainClass} in a new JVM with this JVM's java executable and class path.
   *
   * @param mainClass a class with a {@code public static void main(String[])}
   * @param args its arguments
   * @return the running peer
   * @throws UncheckedIOException if the log file cannot be created or the process cannot start
   */
  public static PeerProcess start(Class<?> mainClass, String... args) {
    String name = mainClass.getSimpleName();
    try {
      Path dir = Paths.get(System.getProperty("java.io.tmpdir"));
      Files.createDirectories(dir);
      Path log = Files.createTempFile(dir, "peer-" + name + "-", ".log");
      List<String> command = new ArrayList<>();
      command.add(javaExecutable());
      command.add("--enable-native-access=ALL-UNNAMED");
      command.add(HEAP_FLAG);
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(mainClass.getName());
      command.addAll(List.of(args));
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .start();
      return new PeerProcess(process, log, name);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start peer JVM for " + mainClass.getName(), e);
    }
  }

  private static String javaExecutable() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElseGet(() -> Paths.get(System.getProperty("java.home"), "bin", "java").toString());
  }

  /**
   * Waits until a line of the peer's output contains {@code contains}.
   *
   * @return the first such line
   * @throws AssertionError on timeout, or if the peer exits without printing such a line; the
   *     message carries the log tail
   */
  public String awaitLine(String contains, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      // Read the liveness before the log: a line printed just before exiting is still found.
      boolean alive = process.isAlive();
      String found = findLine(contains);
      if (found != null) {
        return found;
      }
      if (!alive) {
        throw new AssertionError(
            "peer "
                + name
                + " exited with code "
                + process.exitValue()
                + " before printing a line containing '"
                + contains
                + "'\n"
                + describeLog());
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError(
            "peer "
                + name
                + " printed no line containing '"
                + contains
                + "' within "
                + timeout
                + "\n"
                + describeLog());
      }
      sleepPoll();
    }
  }

  private String findLine(String contains) {
    for (String line : readLog().split("\n", -1)) {
      if (line.contains(contains)) {
        return line;
      }
    }
    return null;
  }

  /**
   * Waits for the peer to exit.
   *
   * @return its exit code (137 after {@link #kill()})
   * @throws AssertionError if it is still running after {@code timeout}; the message carries the
   *     log tail
   */
  public int waitFor(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new AssertionError(
            "peer " + name + " still running after " + timeout + "\n" + describeLog());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for peer " + name, e);
    }
    return process.exitValue();
  }

  /** The last lines of the peer's output (empty if nothing was printed yet). */
  public String logTail() {
    String[] lines = readLog().split("\n", -1);
    int from = Math.max(0, lines.length - TAIL_LINES);
    return String.join("\n", Arrays.copyOfRange(lines, from, lines.length));
  }

  /** The peer's operating-system process id. */
  public long pid() {
    return process.pid();
  }

  /** Whether the peer is still running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The file that receives the peer's standard output and error. */
  public Path logFile() {
    return logFile;
  }

  /** Kills the peer with SIGKILL (no shutdown hooks run); does not wait for it. */
  public void kill() {
    process.destroyForcibly();
  }

  /** Kills the peer if it is still running and waits for it to go away. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    boolean interrupted = false;
    while (true) {
      try {
        process.waitFor(30, TimeUnit.SECONDS);
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "PeerProcess[" + name + ", pid " + process.pid() + ", log " + logFile + "]";
  }

  private String describeLog() {
    return "--- " + logFile + " (tail) ---\n" + logTail() + "\n--- end of log ---";
  }

  private String readLog() {
    try {
      return new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "<cannot read " + logFile + ": " + e + ">";
    }
  }

  private static void sleepPoll() {
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for peer output", e);
    }
  }
}
