package io.reactorvirtio.samples;

import io.reactorvirtio.virtio.BufferLease;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The device side of the ping-pong demo, run as a second process: attaches to the shared file (as
 * the EP function, NTB host 2 or shared-memory device) and
 * echoes every message from queue 1 back on queue 0, zero-copy from lease to ring buffer.
 *
 * <p>Usage: {@code EchoDevice <shared file> <messages to echo> [epf|ntb|shm]}
 */
public final class EchoDevice {

  private EchoDevice() {}

  public static void main(String[] args) {
    Path file = Path.of(args[0]);
    long count = Long.parseLong(args[1]);
    String transport = args.length > 2 ? args[2] : "epf";
    try (DemoTransports.Side link = DemoTransports.device(transport, file)) {
      link.awaitUp(Duration.ofSeconds(20));
      System.out.println("device attached to " + file + " (" + transport + ", link UP)");
      link.queue(0)
          .send(link.queue(1).receive().take(count), (BufferLease lease, MemorySegment buffer) -> {
            int len = lease.length();
            lease.copyTo(buffer, 0);
            lease.release();
            return len;
          })
          .block(Duration.ofMinutes(10));
      System.out.println("device echoed " + count + " messages");
    }
  }
}
