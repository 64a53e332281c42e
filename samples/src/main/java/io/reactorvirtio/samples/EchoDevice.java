package io.reactorvirtio.samples;

import io.reactorvirtio.vhost.link.VhostShmLink;
import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.IdlePolicy;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The device side of the ping-pong demo, run as a second process: attaches to the shared file and
 * echoes every message from queue 1 back on queue 0, zero-copy from lease to ring buffer.
 *
 * <p>Usage: {@code EchoDevice <shared file> <messages to echo>}
 */
public final class EchoDevice {

  private EchoDevice() {}

  public static void main(String[] args) {
    Path file = Path.of(args[0]);
    long count = Long.parseLong(args[1]);
    try (VhostShmLink link = VhostShmLink.open(file, IdlePolicy.defaults(), Duration.ofSeconds(10))) {
      System.out.println("device attached to " + file + " (" + link.queues().size() + " queues)");
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
