package io.reactorvirtio.transport.openamp;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.testsupport.PeerProcess;
import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.transport.openamp.OpenAmpOptions.SocketRole;
import io.reactorvirtio.transport.openamp.OpenAmpOptions.VirtioRole;
import io.reactorvirtio.virtio.LinkDownException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** This JVM is the DRIVER (msg-test-rpmsg-ping's role), a second JVM the DEVICE (rpmsg-echo's). */
class OpenAmpTwoProcessIT {

  static final Duration T = Duration.ofSeconds(60);

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  private OpenAmpOptions driver(Path file, Path socket, SocketRole role) {
    return OpenAmpOptions.of(role, VirtioRole.DRIVER).withFile(file).withSocket(socket)
        .withConnectTimeout(T).withDriverOkTimeout(T);
  }

  @Test
  void driverServesTheSocketDevicePeerEchoesThenExits() throws Exception {
    Path file = shm.newPath("openamp-2p");
    Path socket = shm.newPath("openamp-sock");
    int n = 480;
    try (PeerProcess peer = PeerProcess.start(OpenAmpDevicePeer.class, file.toString(), socket.toString(),
            "CLIENT", Integer.toString(n), "exit");
        OpenAmpLink link = OpenAmpLink.open(driver(file, socket, SocketRole.SERVER));
        RpmsgBus bus = RpmsgEcho.bus(link, "driver")) {
      peer.awaitLine("ATTACHED", T);
      assertThat(RpmsgEcho.ping(bus, n, T).block(T)).isEqualTo(n);
      peer.awaitLine("CLOSED", T);
      assertThat(peer.waitFor(T)).isZero();
      // The peer's socket closed with it: the link is down, and says so.
      StepVerifier.create(link.onDown()).expectError(LinkDownException.class).verify(T);
      assertThat(link.isUp()).isFalse();
    }
    assertThat(Files.exists(file)).isTrue();
  }

  @Test
  void deviceServesTheSocketAndIsKilledMidStream() throws Exception {
    Path file = shm.newPath("openamp-2p-kill");
    Path socket = shm.newPath("openamp-sock");
    int n = 300;
    try (PeerProcess peer = PeerProcess.start(OpenAmpDevicePeer.class, file.toString(), socket.toString(),
            "SERVER", Integer.toString(n), "stay");
        OpenAmpLink link = OpenAmpLink.open(driver(file, socket, SocketRole.CLIENT));
        RpmsgBus bus = RpmsgEcho.bus(link, "driver")) {
      peer.awaitLine("ATTACHED", T);
      assertThat(RpmsgEcho.ping(bus, n, T).block(T)).isEqualTo(n);
      peer.awaitLine("ECHOED " + n, T);
      StepVerifier.create(link.onDown())
          .then(peer::kill) // kill -9: the kernel closes its socket
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(LinkDownException.class)
              .hasMessageContaining("peer closed the kick socket"))
          .verify(T);
      StepVerifier.create(link.queue(1).send(Mono.just(MemorySegment.ofArray(new byte[8]))))
          .expectError(LinkDownException.class)
          .verify(T);
    }
  }
}
