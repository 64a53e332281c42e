package io.reactorvirtio.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The device side in the child JVM. Reads one command per line on standard input:
 * {@code RUN path kind mode payload file queueSize bufferSize futexSpinNanos} or {@code QUIT};
 * answers {@code HELLO} once, then {@code READY} when attached and {@code DONE count=.. measured=..
 * alloc=.. parks=..} when the figure's END message arrived, or {@code FAIL reason} (and exits 1).
 * Exits at once when its parent goes away (standard input closes).
 */
final class Peer {

  private static volatile boolean quitting;

  private Peer() {}

  /** Tells the parent this side is attached and ready for the figure's traffic. */
  static void ready() {
    System.out.println("READY");
    System.out.flush();
  }

  static void main() {
    BlockingQueue<String> commands = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          commands.add(line);
          if (line.equals("QUIT")) {
            return;
          }
        }
      } catch (IOException e) {
        // parent gone
      }
      if (!quitting) {
        System.err.println("peer: the parent closed our standard input; exiting");
        Runtime.getRuntime().halt(3);
      }
    }, "peer-stdin");
    reader.setDaemon(true);
    reader.start();
    System.out.println("HELLO");
    System.out.flush();
    while (true) {
      String cmd;
      try {
        cmd = commands.take();
      } catch (InterruptedException e) {
        return;
      }
      if (cmd.equals("QUIT")) {
        quitting = true;
        System.out.flush();
        System.exit(0);
      }
      try {
        String[] a = cmd.split(" ");
        if (a.length != 9 || !a[0].equals("RUN")) {
          throw new IllegalArgumentException("bad command: " + cmd);
        }
        String path = a[1];
        String kind = a[2];
        String mode = a[3];
        int payload = Integer.parseInt(a[4]);
        Path file = Path.of(a[5]);
        int queueSize = Integer.parseInt(a[6]);
        int bufferSize = Integer.parseInt(a[7]);
        long spinNanos = Long.parseLong(a[8]);
        Cpu.reset();
        String done = switch (path) {
          case "raw" -> RawRing.device(kind, mode, payload, file, queueSize, bufferSize, spinNanos);
          case "flux" -> FluxPath.device(kind, new Figure(path, kind, mode, payload).idlePolicy(), payload, file);
          case "rpmsg" -> RpmsgPath.device(kind, new Figure(path, kind, mode, payload).idlePolicy(), payload, file);
          case "spring" -> SpringPath.device(new Figure(path, kind, mode, payload), file, queueSize, bufferSize);
          case "tcp" -> TcpPath.device(kind, payload);
          case "agrona" -> AgronaPath.device(kind, payload, file);
          case "cl" -> CacheLine2.device(file);
          default -> throw new IllegalArgumentException("unknown path " + path);
        };
        System.out.println(done + " cpu=" + Cpu.elapsed());
        System.out.flush();
      } catch (Throwable t) {
        System.err.println("peer: figure failed: " + cmd);
        t.printStackTrace();
        System.out.println("FAIL " + String.valueOf(t).replace('\n', ' '));
        System.out.flush();
        quitting = true;
        System.exit(1);
      }
    }
  }
}
