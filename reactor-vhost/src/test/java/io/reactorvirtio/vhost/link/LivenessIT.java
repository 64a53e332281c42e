package io.reactorvirtio.vhost.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.testsupport.PeerProcess;
import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.LinkDownException;
import io.reactorvirtio.virtio.LinkState;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.link.VirtioShmLink;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;

/** Peer liveness with real processes: a peer killed with SIGKILL is seen DOWN within the bound. */
class LivenessIT {

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  @Test
  void aKilledDevicePeerIsDetectedAndInFlightWorkFailsClearly() throws Exception {
    Path file = shm.newPath("liveness");
    Duration bound = Duration.ofMillis(500);
    try (VirtioShmLink driver = VirtioShmLink.create(file, ShmLinkOptions.defaults().withLiveness(bound));
        PeerProcess peer = PeerProcess.start(EchoDevicePeer.class, file.toString(), "echo", "1000000000")) {
      peer.awaitLine("ATTACHED", Duration.ofSeconds(20));
      assertThat(driver.states().filter(s -> s == LinkState.UP).blockFirst(Duration.ofSeconds(10)))
          .isEqualTo(LinkState.UP);

      CompletableFuture<Long> receiving = driver.queue(0).receive()
          .doOnNext(lease -> lease.release()).count().toFuture();
      CompletableFuture<Void> sending = driver.queue(1).send(Flux.<Long, Long>generate(() -> 0L, (i, sink) -> {
        sink.next(i);
        return i + 1;
      }), (Long i, MemorySegment buf) -> {
        buf.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, i);
        return 8;
      }).toFuture();
      Thread.sleep(200); // traffic flows
      assertThat(sending).isNotDone();

      long killedAt = System.nanoTime();
      peer.kill();
      LinkState down = driver.states().filter(s -> s == LinkState.DOWN).blockFirst(Duration.ofSeconds(10));
      long detectedMillis = (System.nanoTime() - killedAt) / 1_000_000;
      assertThat(down).isEqualTo(LinkState.DOWN);
      assertThat(detectedMillis).as("detection time, bound %s plus one beat", bound).isLessThan(5_000);

      assertThat(sending).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
          .havingCause().isInstanceOf(LinkDownException.class).withMessageContaining("peer silent");
      assertThat(receiving).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
          .havingCause().isInstanceOf(LinkDownException.class);
    }
  }

  @Test
  void aRestartedDevicePeerFindsCleanRingsAndTheLinkComesBackUp() throws Exception {
    Path file = shm.newPath("liveness-restart");
    try (VirtioShmLink driver = VirtioShmLink.create(file,
        ShmLinkOptions.defaults().withLiveness(Duration.ofMillis(500)))) {
      for (int incarnation = 0; incarnation < 2; incarnation++) {
        try (PeerProcess peer = PeerProcess.start(EchoDevicePeer.class, file.toString(), "echo", "1000000000")) {
          peer.awaitLine("ATTACHED", Duration.ofSeconds(20));
          assertThat(driver.states().filter(s -> s == LinkState.UP).blockFirst(Duration.ofSeconds(10)))
              .isEqualTo(LinkState.UP);
          // Echo traffic flows with this incarnation of the device, in order from sequence 0.
          long n = 2_000;
          long echoed = driver.queue(0).receive().take(n).index().doOnNext(t -> {
            assertThat(t.getT2().data().get(ValueLayout.JAVA_LONG_UNALIGNED, 0)).isEqualTo(t.getT1());
            t.getT2().release();
          }).count().zipWith(driver.queue(1).send(Flux.range(0, (int) n), (Integer i, MemorySegment buf) -> {
            buf.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, (long) i);
            return 8;
          }).then(reactor.core.publisher.Mono.just(0L))).map(t -> t.getT1()).block(Duration.ofSeconds(30));
          assertThat(echoed).isEqualTo(n);
          peer.kill();
          assertThat(driver.states().filter(s -> s == LinkState.DOWN).blockFirst(Duration.ofSeconds(10)))
              .isEqualTo(LinkState.DOWN);
          assertThat(driver.generation()).as("rings reset for the next device").isEqualTo(incarnation + 1);
        }
      }
    }
  }

  @Test
  void aRestartedDriverTakesTheFileOverAndTheDeviceFollowsIntoTheNewGeneration() {
    Path file = shm.newPath("liveness-driver");
    int n = 1_000;
    PeerProcess first = PeerProcess.start(DriverPeer.class, file.toString(), Integer.toString(n), "500");
    try {
      first.awaitLine("READY generation 0", Duration.ofSeconds(20));
      try (VhostShmLink device = VhostShmLink.open(file, IdlePolicy.defaults(), Duration.ofSeconds(10))) {
        assertThat(receiveInOrder(device, n)).isEqualTo(n);
        first.kill();
        assertThat(device.states().filter(s -> s == LinkState.DOWN).blockFirst(Duration.ofSeconds(10)))
            .isEqualTo(LinkState.DOWN);
        try (PeerProcess second = PeerProcess.start(DriverPeer.class, file.toString(), Integer.toString(n), "500")) {
          second.awaitLine("READY generation 1", Duration.ofSeconds(20));
          assertThat(device.states().filter(s -> s == LinkState.UP).blockFirst(Duration.ofSeconds(10)))
              .isEqualTo(LinkState.UP);
          assertThat(receiveInOrder(device, n)).as("the new driver's messages, from sequence 0").isEqualTo(n);
          second.kill();
        }
      }
    } finally {
      first.close();
    }
  }

  private static long receiveInOrder(VhostShmLink device, int n) {
    return device.queue(1).receive().take(n).index().doOnNext(t -> {
      assertThat(t.getT2().data().get(ValueLayout.JAVA_LONG_UNALIGNED, 0)).isEqualTo(t.getT1());
      t.getT2().release();
    }).count().block(Duration.ofSeconds(30));
  }

  @Test
  void theDeviceSeesTheDriverGoAway() {
    Path file = shm.newPath("liveness-dev");
    VirtioShmLink driver = VirtioShmLink.create(file, ShmLinkOptions.defaults().withLiveness(Duration.ofMillis(300)));
    try (VhostShmLink device = VhostShmLink.open(file, IdlePolicy.defaults(), Duration.ofSeconds(5))) {
      assertThat(device.states().filter(s -> s == LinkState.UP).blockFirst(Duration.ofSeconds(10)))
          .isEqualTo(LinkState.UP);
      CompletableFuture<Long> receiving = device.queue(1).receive().count().toFuture();
      driver.close(); // its heartbeat stops with its poller
      assertThat(device.states().filter(s -> s == LinkState.DOWN).blockFirst(Duration.ofSeconds(10)))
          .isEqualTo(LinkState.DOWN);
      assertThat(receiving).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
          .havingCause().isInstanceOf(LinkDownException.class);
    } finally {
      driver.close();
    }
  }
}
