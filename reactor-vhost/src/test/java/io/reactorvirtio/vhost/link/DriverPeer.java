package io.reactorvirtio.vhost.link;

import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.link.VirtioShmLink;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import reactor.core.publisher.Flux;

/**
 * Peer process for the liveness tests: the driver side. Creates the link (or takes over the file a
 * killed driver left), sends {@code N} sequence-numbered messages on queue 1, then waits to be
 * killed. Usage: {@code DriverPeer <file> <N> <liveness ms>}.
 */
public final class DriverPeer {

  private DriverPeer() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    ShmLinkOptions options = ShmLinkOptions.defaults().withLiveness(Duration.ofMillis(Long.parseLong(args[2])));
    VirtioShmLink link = VirtioShmLink.create(file, options);
    System.out.println("READY generation " + link.generation());
    link.queue(1).send(Flux.range(0, n), (Integer i, MemorySegment buf) -> {
      buf.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, (long) i);
      return 8;
    }).block(Duration.ofMinutes(2));
    System.out.println("SENT " + n);
    Thread.sleep(Long.MAX_VALUE);
  }
}
