package io.reactorvirtio.rpmsg;

import io.reactorvirtio.rpmsg.virtio.RpmsgVirtio;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.testsupport.PeerProcess;
import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.link.VirtioShmLink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Driver-role bus in this JVM, device-role bus in a second JVM on the same /dev/shm file. */
class RpmsgTwoProcessIT {

  private static final Duration T = Duration.ofSeconds(30);
  private static final int N = 5000;

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  private static VirtioShmLink link(Path file) {
    return VirtioShmLink.create(file,
        ShmLinkOptions.defaults().withIdle(IdlePolicy.spinThenPark(Duration.ofNanos(50_000))));
  }

  @Test
  void peerAnnouncesWeEchoThroughItAndSeeItWithdrawn() {
    Path file = shm.newPath("rpmsg2p");
    try (VirtioShmLink link = link(file);
        RpmsgBus bus = RpmsgVirtio.driver(link, RpmsgOptions.defaults());
        PeerProcess peer = PeerProcess.start(RpmsgDevicePeer.class, file.toString(), "serve", "rpmsg-echo",
            Integer.toString(N))) {
      List<ChannelEvent> events = new CopyOnWriteArrayList<>();
      Disposable watch = bus.channelEvents().subscribe(events::add);
      peer.awaitLine("ATTACHED", T);
      RpmsgChannel ch = bus.channel("rpmsg-echo", T).block(T);
      assertThat(peer.awaitLine("ANNOUNCED", T)).isEqualTo("ANNOUNCED " + ch.address());
      RpmsgEndpoint ep = bus.createEndpoint(EndpointOptions.forChannel(ch)).block(T);
      AtomicInteger next = new AtomicInteger();
      AtomicInteger bad = new AtomicInteger(-1);
      long t0 = System.nanoTime();
      Mono<Long> got = ep.receive().take(N).doOnNext(m -> {
        int seq = next.getAndIncrement();
        if (m.source() != ch.address() || !Loopback.matches(seq, m.data())) {
          bad.compareAndSet(-1, seq);
        }
        m.release();
      }).count();
      Mono<Void> sent = ep.send(Flux.range(0, N).map(Loopback::payload), T);
      assertThat(Mono.zip(got, sent.thenReturn(0)).block(T).getT1()).isEqualTo(N);
      System.out.printf("two processes: %d echoes of 0..496 bytes in %d ms%n", N, (System.nanoTime() - t0) / 1_000_000);
      assertThat(bad.get()).as("first echo with a wrong source or payload").isEqualTo(-1);
      peer.awaitLine("ECHOED " + N, T);
      peer.awaitLine("CLOSED", T);
      RpmsgBusLoopbackTest.waitFor(() -> bus.remoteChannels().isEmpty());
      assertThat(events).contains(new ChannelEvent.Created(ch), new ChannelEvent.Destroyed(ch));
      assertThat(ep.destination()).as("unbound by the peer's NS DESTROY").isEqualTo(RpmsgAddress.ANY);
      assertThat(peer.waitFor(T)).isZero();
      assertThat(bus.stats().dropped()).isZero();
      watch.dispose();
    }
  }

  @Test
  void weAnnounceAndThePeerEchoesThroughOurEndpoint() {
    Path file = shm.newPath("rpmsg2p-rev");
    try (VirtioShmLink link = link(file);
        RpmsgBus bus = RpmsgVirtio.driver(link, RpmsgOptions.defaults())) {
      RpmsgEndpoint ep = bus.createEndpoint(EndpointOptions.named("driver-echo").announced()).block(T);
      Disposable echo = Loopback.echo(ep);
      try (PeerProcess peer = PeerProcess.start(RpmsgDevicePeer.class, file.toString(), "client", "driver-echo",
          Integer.toString(N))) {
        // The announcement was sent before the peer attached: it waits in the ring until the device takes it.
        assertThat(peer.awaitLine("BOUND", T)).endsWith("-> " + ep.address());
        peer.awaitLine("VERIFIED " + N, T);
        assertThat(peer.waitFor(T)).isZero();
      } finally {
        echo.dispose();
      }
      assertThat(bus.stats().delivered()).isEqualTo(N);
      assertThat(bus.stats().dropped()).isZero();
      assertThat(ep.destination()).as("adopted from the first message").isNotEqualTo(RpmsgAddress.ANY);
    }
  }

}
