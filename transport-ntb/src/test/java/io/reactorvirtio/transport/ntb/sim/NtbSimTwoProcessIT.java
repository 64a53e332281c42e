package io.reactorvirtio.transport.ntb.sim;

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
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A simulated NTB link between two processes, with rpmsg on top: the peer host is killed with
 * SIGKILL (its link enable stays set, so only liveness can tell), seen DOWN within the liveness
 * bound, restarted, negotiated again, and its announcement and echoes flow again — in both
 * directions (a killed HOST2, a killed HOST1 whose restart takes its stale file over).
 */
class NtbSimTwoProcessIT {

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
        String s = new String(m.data().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
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

  static long awaitDown(Flux<LinkEvent> events, long killedAt) {
    LinkEvent down = events.filter(e -> e.state() == LinkState.DOWN && e.problem() != null).blockFirst(T);
    assertThat(down.problem()).isInstanceOf(LinkDownException.class).hasMessageContaining("silent");
    return (System.nanoTime() - killedAt) / 1_000_000;
  }

  @Test
  void aKilledHost2IsSeenDownWithinTheBoundAndARestartedOneIsNegotiatedAgain() {
    Path file = shm.newPath("ntb-2p-host2");
    try (VirtioTransportLink host1 = VirtioTransportLink.create(SimulatedNtb.host1(file, NtbSimOptions.defaults()),
        OPTIONS);
        RpmsgBus bus = RpmsgVirtio.driver(host1, RpmsgOptions.defaults().withName("host1"))) {
      for (int round = 0; round < 2; round++) {
        PeerProcess host2 = PeerProcess.start(NtbPeer.class, file.toString(), "host2", "host2-echo");
        try {
          host2.awaitLine("UP", T);
          echoThrough(bus, "host2-echo", round);
          var linkDown = bus.channelEvents().filter(e -> e instanceof ChannelEvent.LinkDown).next().toFuture();
          long killedAt = System.nanoTime();
          host2.kill();
          long ms = awaitDown(host1.events(), killedAt);
          System.out.printf("round %d: killed HOST2 seen DOWN after %d ms (bound %s)%n", round, ms, BOUND);
          assertThat(ms).as("detected after %d ms, bound %s", ms, BOUND).isLessThan(3 * BOUND.toMillis());
          assertThat(linkDown).succeedsWithin(Duration.ofSeconds(5));
        } finally {
          host2.close();
        }
      }
    }
  }

  @Test
  void aKilledHost1IsSeenDownAndARestartedOneTakesTheFileOverAndNegotiatesAgain() {
    Path file = shm.newPath("ntb-2p-host1");
    PeerProcess host1 = PeerProcess.start(NtbPeer.class, file.toString(), "host1", "host1-echo");
    try {
      host1.awaitLine("READY", T);
      try (VhostTransportLink host2 = VhostTransportLink.create(SimulatedNtb.host2(file), OPTIONS)) {
        RpmsgBus bus = RpmsgVirtio.device(host2, RpmsgOptions.defaults().withName("host2")).block(T);
        try {
          echoThrough(bus, "host1-echo", 0);
          long killedAt = System.nanoTime();
          host1.kill();
          long ms = awaitDown(host2.events(), killedAt);
          System.out.printf("killed HOST1 seen DOWN after %d ms (bound %s)%n", ms, BOUND);
          assertThat(ms).isLessThan(3 * BOUND.toMillis());
          host1.close();
          assertThat(file).as("SIGKILL leaves HOST1's file behind").exists();
          long restartedAt = System.nanoTime();
          host1 = PeerProcess.start(NtbPeer.class, file.toString(), "host1", "host1-echo");
          host1.awaitLine("READY", T);
          assertThat(host2.states().filter(s -> s == LinkState.UP).blockFirst(T)).isEqualTo(LinkState.UP);
          System.out.printf("restarted HOST1 negotiated %d ms after its start%n",
              (System.nanoTime() - restartedAt) / 1_000_000);
          echoThrough(bus, "host1-echo", 1);
        } finally {
          bus.close();
        }
      }
    } finally {
      host1.close();
    }
  }
}
