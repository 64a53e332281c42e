package io.reactorvirtio.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The device-side child JVM, driven over its standard input (one command per line) and answering
 * on its standard output; its standard error is inherited, so its logs and stack traces show.
 */
final class PeerJvm implements AutoCloseable {

  static final long START_TIMEOUT_NANOS = 10_000_000_000L;
  private static final String EOF = "\u0000EOF";

  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private PeerJvm(Process process) {
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the process went away
      }
      lines.add(EOF);
    }, "peer-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code RingBench --peer} in a new JVM (same java, same class path) and waits for its HELLO. */
  static PeerJvm start(List<String> extraJvmArgs) {
    String java = ProcessHandle.current().info().command()
        .orElseGet(() -> Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-Xmx256m");
    cmd.add("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"); // Agrona 2.x
    cmd.addAll(extraJvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(RingBench.class.getName());
    cmd.add("--peer");
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    } catch (IOException e) {
      throw new BenchFailure("cannot start the peer JVM: " + String.join(" ", cmd), e);
    }
    PeerJvm peer = new PeerJvm(p);
    try {
      peer.expect("HELLO", START_TIMEOUT_NANOS);
    } catch (RuntimeException e) {
      peer.close();
      throw e;
    }
    return peer;
  }

  void send(String command) {
    try {
      stdin.write(command);
      stdin.write('\n');
      stdin.flush();
    } catch (IOException e) {
      throw new BenchFailure("cannot talk to the peer (" + describe() + "): " + e.getMessage(), e);
    }
  }

  /**
   * Waits for the next line; it must start with {@code prefix} (a {@code FAIL} line or any other
   * line fails the run).
   */
  String expect(String prefix, long timeoutNanos) {
    String line;
    long deadline = System.nanoTime() + timeoutNanos;
    while (true) {
      try {
        line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchFailure("interrupted while waiting for the peer");
      }
      if (line == null || isProtocol(line)) {
        break;
      }
      System.err.println("peer: " + line); // e.g. JVM logging on stdout: not ours, pass it on
    }
    if (line == null) {
      throw new BenchFailure("the peer did not answer " + prefix + " within " + timeoutNanos / 1_000_000 + " ms ("
          + describe() + ")");
    }
    if (line.equals(EOF)) {
      waitQuietly();
      throw new BenchFailure("the peer closed its output while we waited for " + prefix + " (" + describe() + ")");
    }
    if (!line.startsWith(prefix)) {
      throw new BenchFailure("the peer answered '" + line + "' instead of " + prefix);
    }
    return line;
  }

  ProcessHandle handle() {
    return process.toHandle();
  }

  private static boolean isProtocol(String line) {
    return line.equals(EOF) || line.startsWith("HELLO") || line.startsWith("READY") || line.startsWith("DONE")
        || line.startsWith("FAIL");
  }

  void checkAlive(String what) {
    if (!process.isAlive()) {
      throw new BenchFailure(what + ": the peer exited (" + describe() + ")");
    }
  }

  String describe() {
    String state = process.isAlive() ? "pid " + process.pid() + " alive" : "pid " + process.pid()
        + " exited with code " + process.exitValue();
    for (String line : lines) {
      if (line.startsWith("FAIL")) {
        return state + ", reported: " + line;
      }
    }
    return state;
  }

  private void waitQuietly() {
    try {
      process.waitFor(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Asks the peer to quit, then kills it if it does not; returns its exit code. */
  int quit() {
    try {
      send("QUIT");
      stdin.close();
    } catch (RuntimeException | IOException e) {
      // it is gone already
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        throw new BenchFailure("the peer did not quit within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
