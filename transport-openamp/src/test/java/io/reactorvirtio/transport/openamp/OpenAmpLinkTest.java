package io.reactorvirtio.transport.openamp;

import static io.reactorvirtio.transport.openamp.OpenAmpLayout.*;
import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U16_UNALIGNED;
import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U32_UNALIGNED;
import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U64_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.transport.openamp.OpenAmpOptions.SocketRole;
import io.reactorvirtio.transport.openamp.OpenAmpOptions.VirtioRole;
import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.Virtqueue.Direction;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** A DRIVER and a DEVICE link in one JVM, in both socket arrangements, and the bytes they leave. */
class OpenAmpLinkTest {

  static final Duration T = Duration.ofSeconds(30);
  /** A thread per blocking open (the common pool may have a single thread on 2 cores). */
  static final java.util.concurrent.Executor THREADS = r -> Thread.ofPlatform().daemon().start(r);

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  static OpenAmpOptions options(Path file, Path socket, SocketRole s, VirtioRole v) {
    return OpenAmpOptions.of(s, v).withFile(file).withSocket(socket)
        .withIdle(IdlePolicy.spinThenPark(Duration.ofNanos(20_000)))
        .withConnectTimeout(T).withDriverOkTimeout(T);
  }

  /** Opens both ends concurrently (the server blocks in accept until the client connects). */
  static OpenAmpLink[] pair(Path file, Path socket, VirtioRole serverRole) {
    VirtioRole clientRole = serverRole == VirtioRole.DRIVER ? VirtioRole.DEVICE : VirtioRole.DRIVER;
    CompletableFuture<OpenAmpLink> server = CompletableFuture.supplyAsync(
        () -> OpenAmpLink.open(options(file, socket, SocketRole.SERVER, serverRole)), THREADS);
    CompletableFuture<OpenAmpLink> clientF = CompletableFuture.supplyAsync(
        () -> OpenAmpLink.open(options(file, socket, SocketRole.CLIENT, clientRole)), THREADS);
    // If either side fails, close the other when it comes up.
    CompletableFuture.allOf(server, clientF).whenComplete((x, e) -> {
      if (e != null) {
        server.thenAccept(OpenAmpLink::close);
        clientF.thenAccept(OpenAmpLink::close);
      }
    });
    OpenAmpLink s = server.join();
    OpenAmpLink client = clientF.join();
    return serverRole == VirtioRole.DRIVER ? new OpenAmpLink[] {s, client} : new OpenAmpLink[] {client, s};
  }

  static MemorySegment msg(int i) {
    MemorySegment s = MemorySegment.ofArray(new byte[4 + (i % 200)]);
    s.set(ValueLayout.JAVA_INT_UNALIGNED, 0, i);
    for (int k = 4; k < s.byteSize(); k++) {
      s.set(ValueLayout.JAVA_BYTE, k, (byte) (i + k));
    }
    return s;
  }

  static int check(BufferLease lease) {
    MemorySegment d = lease.data();
    int i = d.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
    assertThat(d.byteSize()).isEqualTo(4 + (i % 200));
    for (int k = 4; k < d.byteSize(); k++) {
      assertThat(d.get(ValueLayout.JAVA_BYTE, k)).isEqualTo((byte) (i + k));
    }
    lease.release();
    return i;
  }

  static void exchange(OpenAmpLink driver, OpenAmpLink device, int n) {
    List<Integer> expected = Flux.range(0, n).collectList().block();
    // driver -> device: vring1
    Mono<List<Integer>> got = device.queue(1).receive().map(OpenAmpLinkTest::check).take(n).collectList();
    Mono<Void> sent = driver.queue(1).send(Flux.range(0, n).map(OpenAmpLinkTest::msg));
    StepVerifier.create(got.zipWith(sent.thenReturn(1)))
        .assertNext(t -> assertThat(t.getT1()).containsExactlyElementsOf(expected))
        .expectComplete().verify(T);
    // device -> driver: vring0
    Mono<List<Integer>> back = driver.queue(0).receive().map(OpenAmpLinkTest::check).take(n).collectList();
    Mono<Void> sentBack = device.queue(0).send(Flux.range(0, n).map(OpenAmpLinkTest::msg));
    StepVerifier.create(back.zipWith(sentBack.thenReturn(1)))
        .assertNext(t -> assertThat(t.getT1()).containsExactlyElementsOf(expected))
        .expectComplete().verify(T);
  }

  static void awaitUsedIdx(Path file, long off, int expected) throws Exception {
    long deadline = System.nanoTime() + T.toNanos();
    while (System.nanoTime() < deadline) {
      MemorySegment f = MemorySegment.ofArray(Files.readAllBytes(file));
      if (Short.toUnsignedInt(f.get(U16_UNALIGNED, off)) == expected) {
        return;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
  }

  @ParameterizedTest(name = "socket server = {0}")
  @EnumSource(VirtioRole.class)
  void bothRolesExchangeMessagesInOrderAndLeaveOpenAmpsBytes(VirtioRole serverRole) throws Exception {
    Path file = shm.newPath("openamp");
    Path socket = shm.newPath("openamp-sock");
    OpenAmpLink[] links = pair(file, socket, serverRole);
    try (OpenAmpLink driver = links[0]; OpenAmpLink device = links[1]) {
      assertThat(driver.queue(0).direction()).isEqualTo(Direction.INBOUND);
      assertThat(driver.queue(1).direction()).isEqualTo(Direction.OUTBOUND);
      assertThat(device.queue(0).direction()).isEqualTo(Direction.OUTBOUND);
      assertThat(device.queue(1).direction()).isEqualTo(Direction.INBOUND);
      assertThat(driver.queue(0).size()).isEqualTo(256);
      exchange(driver, device, 2_000);
      assertThat(driver.isUp()).isTrue();
      assertThat(device.isUp()).isTrue();

      // The receivers' last used entries are published by their pollers after release: wait for them.
      awaitUsedIdx(file, 0xA002, 2_000);
      awaitUsedIdx(file, 0x6002, 2_000);
      MemorySegment f = MemorySegment.ofArray(Files.readAllBytes(file));
      MemorySegment gold = MemorySegment.ofArray(Golden.bytes());
      // The resource table, after the driver wrote gfeatures and DRIVER_OK, is OpenAMP's byte for byte.
      for (long off = 0; off < TABLE_SIZE; off += 4) {
        assertThat(f.get(U32_UNALIGNED, off)).as("table u32 at 0x%x", off).isEqualTo(gold.get(U32_UNALIGNED, off));
      }
      // vring0: 256 RX buffers, descriptor i -> 0x10000 + i*0x200, len 512, WRITE (as in the golden file).
      for (int i = 0; i < 256; i++) {
        long d = VRING0_DA + 16L * i;
        assertThat(f.get(U64_UNALIGNED, d)).as("vring0 desc %d addr", i).isEqualTo(RX_BUFFERS + 0x200L * i);
        assertThat(f.get(U32_UNALIGNED, d + 8)).as("vring0 desc %d len", i).isEqualTo(512);
        assertThat(f.get(U16_UNALIGNED, d + 12)).as("vring0 desc %d flags", i).isEqualTo((short) 2);
        assertThat(f.get(U64_UNALIGNED, d)).isEqualTo(gold.get(U64_UNALIGNED, d));
      }
      // avail at 0x5000 / used at 0x6000 (align 0x1000): every RX buffer posted, all 2000 used.
      // (buffers are re-posted while the receiver has demand, so up to 256 + 2000)
      assertThat(Short.toUnsignedInt(f.get(U16_UNALIGNED, 0x5002))).isBetween(2_000, 256 + 2_000);
      assertThat(Short.toUnsignedInt(f.get(U16_UNALIGNED, 0x6002))).isEqualTo(2_000);
      // vring1: the driver sends from TX buffers at 0x30000 upward, and asked not to be told of returns.
      assertThat(f.get(U64_UNALIGNED, VRING1_DA)).isBetween(TX_BUFFERS, BUFFER_POOL_END - 512);
      assertThat(f.get(U16_UNALIGNED, 0x9000)).isEqualTo((short) 1);
      assertThat(Short.toUnsignedInt(f.get(U16_UNALIGNED, 0x9002))).isEqualTo(2_000);
      assertThat(Short.toUnsignedInt(f.get(U16_UNALIGNED, 0xA002))).isEqualTo(2_000);
    }
    assertThat(Files.exists(file)).as("nobody unlinks the shared file").isTrue();
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.size(file)).isEqualTo(FILE_SIZE);
  }

  @Test
  void reopeningOverAStaleFileWorks() {
    Path file = shm.newPath("openamp-stale");
    Path socket = shm.newPath("openamp-sock");
    OpenAmpLink[] first = pair(file, socket, VirtioRole.DEVICE);
    try (OpenAmpLink driver = first[0]; OpenAmpLink device = first[1]) {
      exchange(driver, device, 300);
    }
    // Second run on the same file: status 4 and ring indices from the first run are stale.
    OpenAmpLink[] second = pair(file, socket, VirtioRole.DRIVER);
    try (OpenAmpLink driver = second[0]; OpenAmpLink device = second[1]) {
      exchange(driver, device, 300);
    }
  }

  @Test
  void unlinkOnCloseDeletesTheFile() {
    Path file = shm.newPath("openamp-unlink");
    Path socket = shm.newPath("openamp-sock");
    CompletableFuture<OpenAmpLink> server = CompletableFuture.supplyAsync(() -> OpenAmpLink.open(
        options(file, socket, SocketRole.SERVER, VirtioRole.DRIVER).withUnlinkOnClose(true)), THREADS);
    try (OpenAmpLink device = OpenAmpLink.open(options(file, socket, SocketRole.CLIENT, VirtioRole.DEVICE));
        OpenAmpLink driver = server.join()) {
      assertThat(driver.resourceTable().vdevId()).isEqualTo(7);
    }
    assertThat(Files.exists(file)).isFalse();
  }
}
