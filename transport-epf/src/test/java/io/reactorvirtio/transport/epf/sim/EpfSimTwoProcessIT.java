package io.reactorvirtio.transport.epf.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.rpmsg.ChannelEvent;
import io.reactorvirtio.rpmsg.EndpointOptions;
import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.rpmsg.RpmsgEndpoint;
import io.reactorvirtio.rpmsg.RpmsgOptions;
import io.reactorvirtio.rpmsg.virtio.RpmsgVirtio;
import io.reactorvirtio.testsupport.PeerProcess;
import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.vhost.transport.VhostTransportLink;
import io.reactorvirtio.virtio.LinkDownException;
import io.reactorvirtio.virtio.LinkEvent;
import io.reactorvirtio.virtio.LinkState;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.transport.VirtioTransportLink;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A simulated RC/EP link between two processes, with rpmsg on top: the peer is killed with
 * SIGKILL, seen DOWN within the liveness bound, restarted, negotiated again, and its announcement
 * and echoes flow again — in both directions (a killed endpoint, a killed root complex).
 */
class EpfSimTwoProcessIT {

  static final Duration BOUND = Duration.ofMillis(500);
  static final ShmLinkOptions OPTIONS = ShmLinkOptions.defaults().withQueueSize(128).withLiveness(BOUND);
  static final Duration T = Duration.ofSeconds(30);

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  /** Opens the peer's announced channel and checks 100 echoes of distinct payloads. */
  static void echoThrough(RpmsgBus bus, String name, int round) {
    RpmsgEndpoint ep = bus.channel(name, T).flatMap(ch -> bus.createEndpoint(EndpointOptions.forChannel(ch))).block(T);
    try {
      List<String> sent = Flux.range(0, 100).map(i -> "round " + round + " #" + i).collectList().block();
      Mono<List<String>> back = ep.receive().take(sent.size()).map(m -> {
        String s = new String(m.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        m.release();
        return s;
      }).collectList();
      List<String> got = Mono.zip(back, ep.send(Flux.fromIterable(sent)
          .map(s -> MemorySegment.ofArray(s.getBytes(StandardCharsets.UTF_8)))).thenReturn(0)).block(T).getT1();
      assertThat(got).containsExactlyElementsOf(sent);
    } finally {
      ep.close().block(T);
    }
  }

  static long awaitDown(reactor.core.publisher.Flux<LinkEvent> events, long killedAt) {
    LinkEvent down = events.filter(e -> e.state() == LinkState.DOWN && e.problem() != null).blockFirst(T);
    assertThat(down.problem()).isInstanceOf(LinkDownException.class).hasMessageContaining("silent");
    return (System.nanoTime() - killedAt) / 1_000_000;
  }

  @Test
  void aKilledEndpointIsSeenDownWithinTheBoundAndARestartedOneIsNegotiatedAgain() {
    Path file = shm.newPath("epf-2p-ep");
    try (VirtioTransportLink rc = VirtioTransportLink.create(SimulatedEpf.rootComplex(file, EpfSimOptions.defaults()),
        OPTIONS);
        RpmsgBus bus = RpmsgVirtio.driver(rc, RpmsgOptions.defaults().withName("rc"))) {
      for (int round = 0; round < 2; round++) {
        PeerProcess ep = PeerProcess.start(EpfPeer.class, file.toString(), "ep", "ep-echo");
        try {
          ep.awaitLine("UP", T);
          echoThrough(bus, "ep-echo", round);
          var linkDown = bus.channelEvents().filter(e -> e instanceof ChannelEvent.LinkDown).next().toFuture();
          long killedAt = System.nanoTime();
          ep.kill();
          long ms = awaitDown(rc.events(), killedAt);
          assertThat(ms).as("detected after %d ms, bound %s", ms, BOUND).isLessThan(3 * BOUND.toMillis());
          assertThat(linkDown).succeedsWithin(Duration.ofSeconds(5));
        } finally {
          ep.close();
        }
      }
    }
  }

  @Test
  void aKilledRootComplexIsSeenDownAndARestartedOneTakesTheBusOverAndNegotiatesAgain() {
    Path file = shm.newPath("epf-2p-rc");
    PeerProcess rc = PeerProcess.start(EpfPeer.class, file.toString(), "rc", "rc-echo");
    try {
      rc.awaitLine("READY", T);
      try (VhostTransportLink ep = VhostTransportLink.create(SimulatedEpf.endpoint(file), OPTIONS)) {
        RpmsgBus bus = RpmsgVirtio.device(ep, RpmsgOptions.defaults().withName("ep")).block(T);
        try {
          echoThrough(bus, "rc-echo", 0);
          long killedAt = System.nanoTime();
          rc.kill();
          long ms = awaitDown(ep.events(), killedAt);
          assertThat(ms).isLessThan(3 * BOUND.toMillis());
          rc.close();
          rc = PeerProcess.start(EpfPeer.class, file.toString(), "rc", "rc-echo");
          rc.awaitLine("READY", T);
          assertThat(ep.states().filter(s -> s == LinkState.UP).blockFirst(T)).isEqualTo(LinkState.UP);
          echoThrough(bus, "rc-echo", 1);
        } finally {
          bus.close();
        }
      }
    } finally {
      rc.close();
    }
  }
}
