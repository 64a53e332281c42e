package io.reactorvirtio.transport.openamp;

import static io.reactorvirtio.transport.openamp.OpenAmpLayout.*;
import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U32_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.transport.openamp.OpenAmpOptions.SocketRole;
import io.reactorvirtio.transport.openamp.OpenAmpOptions.VirtioRole;
import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.LinkDownException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Impossible tables, a driver that never says DRIVER_OK, peers that vanish: clear errors, no hangs. */
class OpenAmpBadInputTest {

  static final Duration T = Duration.ofSeconds(30);

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  /** A file holding a fresh table (status 0), damaged by {@code damage}. */
  private Path file(Consumer<MemorySegment> damage) throws Exception {
    byte[] bytes = new byte[(int) FILE_SIZE];
    MemorySegment f = MemorySegment.ofArray(bytes);
    writeTable(f, VIRTIO_ID_RPMSG, VIRTIO_RPMSG_F_NS);
    damage.accept(f);
    Path p = shm.newPath("openamp-bad");
    Files.write(p, bytes);
    return p;
  }

  private OpenAmpOptions client(Path file, Path socket, VirtioRole role) {
    return OpenAmpOptions.of(SocketRole.CLIENT, role).withFile(file).withSocket(socket)
        .withConnectTimeout(T).withDriverOkTimeout(T);
  }

  private void assertTableRejected(VirtioRole role, Consumer<MemorySegment> damage, String field) throws Exception {
    Path file = file(damage);
    Path socket = shm.newPath("openamp-sock");
    try (DummySocketPeer peer = DummySocketPeer.serve(socket)) {
      assertThatThrownBy(() -> OpenAmpLink.open(client(file, socket, role)))
          .isInstanceOfSatisfying(ResourceTableException.class, e -> assertThat(e.field()).isEqualTo(field));
      assertThat(peer.readByte()).as("the failed link closed its socket").isEqualTo(-1);
    }
  }

  @Test
  void driverRejectsVersion2() throws Exception {
    assertTableRejected(VirtioRole.DRIVER, f -> f.set(U32_UNALIGNED, VERSION_OFFSET, 2), "ver");
  }

  @Test
  void deviceRejectsAnEntryOffsetOutsideTheFile() throws Exception {
    assertTableRejected(VirtioRole.DEVICE, f -> f.set(U32_UNALIGNED, ENTRY_OFFSETS_OFFSET, 0x80000), "offset[0]");
  }

  @Test
  void driverRejectsANumThatIsNotAPowerOfTwo() throws Exception {
    assertTableRejected(VirtioRole.DRIVER,
        f -> f.set(U32_UNALIGNED, vringEntry(VDEV_ENTRY_OFFSET, 0) + VRING_NUM, 100), "vring[0].num");
  }

  @Test
  void deviceRejectsAVringOutsideTheFile() throws Exception {
    assertTableRejected(VirtioRole.DEVICE,
        f -> f.set(U32_UNALIGNED, vringEntry(VDEV_ENTRY_OFFSET, 1) + VRING_DA, 0x100000), "vring[1].da");
  }

  @Test
  void driverRejectsAVringInTheBufferPool() throws Exception {
    assertTableRejected(VirtioRole.DRIVER,
        f -> f.set(U32_UNALIGNED, vringEntry(VDEV_ENTRY_OFFSET, 1) + VRING_DA, 0x20000), "vring[1].da");
  }

  @Test
  void deviceRejectsFeaturesItNeverOffered() throws Exception {
    assertTableRejected(VirtioRole.DEVICE, f -> {
      f.set(U32_UNALIGNED, VDEV_ENTRY_OFFSET + VDEV_GFEATURES, 0x3);
      f.set(java.lang.foreign.ValueLayout.JAVA_BYTE, VDEV_ENTRY_OFFSET + VDEV_STATUS, (byte) STATUS_DRIVER_OK);
    }, "vdev.gfeatures");
  }

  @Test
  void deviceGivesUpWhenDriverOkNeverComes() throws Exception {
    Path file = shm.newPath("openamp-noready");
    Path socket = shm.newPath("openamp-sock");
    // The device is the socket server (writes the table, status 0); the "driver" connects and idles.
    try (DummySocketPeer driver = DummySocketPeer.connect(socket)) {
      assertThatThrownBy(() -> OpenAmpLink.open(OpenAmpOptions.of(SocketRole.SERVER, VirtioRole.DEVICE)
          .withFile(file).withSocket(socket).withConnectTimeout(T).withDriverOkTimeout(Duration.ofMillis(300))))
          .isInstanceOf(OpenAmpException.class)
          .hasMessageContaining("did not set DRIVER_OK (status 0x0) within PT0.3S");
      assertThat(driver.readByte()).isEqualTo(-1);
    }
  }

  @Test
  void deviceStopsWaitingWhenThePeerClosesBeforeDriverOk() throws Exception {
    Path file = file(f -> { });
    Path socket = shm.newPath("openamp-sock");
    try (DummySocketPeer driver = DummySocketPeer.serve(socket)) {
      Thread.ofPlatform().daemon().start(() -> {
        driver.channel(); // once connected, hang up
        try {
          driver.close();
        } catch (java.io.IOException ignored) {
          // test
        }
      });
      assertThatThrownBy(() -> OpenAmpLink.open(client(file, socket, VirtioRole.DEVICE)))
          .isInstanceOf(OpenAmpException.class)
          .hasMessageContaining("closed the kick socket before DRIVER_OK");
    }
  }

  @Test
  void clientGivesUpWhenNoServerListens() {
    Path file = shm.newPath("openamp-noserver");
    Path socket = shm.newPath("openamp-sock");
    assertThatThrownBy(() -> OpenAmpLink.open(OpenAmpOptions.of(SocketRole.CLIENT, VirtioRole.DRIVER)
        .withFile(file).withSocket(socket).withConnectTimeout(Duration.ofMillis(200))))
        .isInstanceOf(OpenAmpException.class)
        .hasMessageContaining("could not connect to the kick socket within PT0.2S");
  }

  @Test
  void serverGivesUpWhenNoClientComes() {
    Path file = shm.newPath("openamp-noclient");
    Path socket = shm.newPath("openamp-sock");
    assertThatThrownBy(() -> OpenAmpLink.open(OpenAmpOptions.of(SocketRole.SERVER, VirtioRole.DRIVER)
        .withFile(file).withSocket(socket).withConnectTimeout(Duration.ofMillis(200))))
        .isInstanceOf(OpenAmpException.class)
        .hasMessageContaining("no peer connected to the kick socket within PT0.2S");
    assertThat(Files.exists(socket)).isFalse();
  }

  @Test
  void aPeerThatClosesTheSocketTakesTheLinkDown() {
    Path file = shm.newPath("openamp-down");
    Path socket = shm.newPath("openamp-sock");
    OpenAmpLink[] links = OpenAmpLinkTest.pair(file, socket, VirtioRole.DRIVER);
    OpenAmpLink driver = links[0];
    try (OpenAmpLink device = links[1]) {
      OpenAmpLinkTest.exchange(driver, device, 50);
      Flux<BufferLease> waiting = device.queue(1).receive();
      StepVerifier.create(waiting)
          .then(driver::close) // the peer goes away: its socket closes
          .expectError(LinkDownException.class)
          .verify(T);
      StepVerifier.create(device.onDown()).expectError(LinkDownException.class).verify(T);
      assertThat(device.isUp()).isFalse();
      // New work fails at once with the reason.
      StepVerifier.create(device.queue(0).send(Mono.just(MemorySegment.ofArray(new byte[4]))))
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(LinkDownException.class)
              .hasMessageContaining("peer closed the kick socket"))
          .verify(T);
      StepVerifier.create(device.queue(1).receive()).expectError(LinkDownException.class).verify(T);
    } finally {
      driver.close();
    }
  }
}
