package io.reactorvirtio.rpmsg;

import io.reactorvirtio.rpmsg.virtio.RpmsgVirtio;
import io.reactorvirtio.vhost.link.VhostShmLink;
import io.reactorvirtio.virtio.IdlePolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Peer process for {@link RpmsgTwoProcessIT}: the device-role rpmsg bus on a shared-memory link.
 * Modes: {@code serve NAME N} announces NAME, echoes N messages, then withdraws it (NS DESTROY);
 * {@code client NAME N} waits for the driver's announcement of NAME, sends N messages of every size
 * 0..496 and checks the N echoes.
 */
public final class RpmsgDevicePeer {

  private RpmsgDevicePeer() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    String mode = args[1];
    String name = args[2];
    int n = Integer.parseInt(args[3]);
    Duration t = Duration.ofSeconds(60);
    try (VhostShmLink link = VhostShmLink.open(file, IdlePolicy.spinThenPark(Duration.ofNanos(50_000)),
            Duration.ofSeconds(20));
        RpmsgBus bus = RpmsgVirtio.device(link, RpmsgOptions.defaults().withName("peer"))) {
      System.out.println("ATTACHED");
      if (mode.equals("serve")) {
        RpmsgEndpoint ep = bus.createEndpoint(EndpointOptions.named(name).announced()).block(t);
        System.out.println("ANNOUNCED " + ep.address());
        AtomicLong echoed = new AtomicLong();
        ep.send(ep.receive().take(n), (RpmsgMessage m, java.lang.foreign.MemorySegment buf) -> {
          int len = m.length();
          m.copyTo(buf, 0);
          m.release();
          echoed.incrementAndGet();
          return len;
        }).block(t);
        System.out.println("ECHOED " + echoed.get());
        ep.close().block(t);
        System.out.println("CLOSED");
      } else {
        RpmsgEndpoint ep = bus.openChannel(name).block(t);
        System.out.println("BOUND " + ep.address() + " -> " + ep.destination());
        AtomicInteger next = new AtomicInteger();
        AtomicInteger bad = new AtomicInteger(-1);
        Mono<Long> got = ep.receive().take(n).doOnNext(m -> {
          int seq = next.getAndIncrement();
          if (!Loopback.matches(seq, m.data()) && bad.get() < 0) {
            bad.set(seq);
          }
          m.release();
        }).count();
        long count = Mono.zip(got, ep.send(Flux.range(0, n).map(Loopback::payload), t).thenReturn(0))
            .block(t).getT1();
        System.out.println(bad.get() < 0 ? "VERIFIED " + count : "MISMATCH at " + bad.get());
        if (bad.get() >= 0) {
          System.exit(3);
        }
      }
      System.out.println("STATS " + bus.stats());
    }
  }
}
