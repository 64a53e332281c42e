package io.reactorvirtio.transport.openamp;

import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U16_UNALIGNED;
import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U32_UNALIGNED;
import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U64_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.transport.openamp.OpenAmpOptions.SocketRole;
import io.reactorvirtio.transport.openamp.OpenAmpOptions.VirtioRole;
import io.reactorvirtio.virtio.BufferLease;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;

/**
 * A DEVICE-role link on a copy of the file OpenAMP's own demo pair left behind: it must attach
 * without clearing anything and carry on from the indices there (vring1 avail.idx 482 == used.idx
 * 482: nothing pending; vring0: 255 posted RX buffers left, from avail slot 482).
 */
class GoldenAttachTest {

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  private static byte[] rings(byte[] file) {
    byte[] r = Arrays.copyOfRange(file, 0x4000, 0xA806);
    // flags words the device may legitimately toggle (its notification suppression)
    for (int off : new int[] {0x6000, 0xA000}) {
      r[off - 0x4000] = 0;
      r[off + 1 - 0x4000] = 0;
    }
    return r;
  }

  /** Waits (bounded) for a ring index the other side publishes asynchronously. */
  private static void awaitU16(MemorySegment f, long off, int expected) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (Short.toUnsignedInt(f.get(U16_UNALIGNED, off)) != expected && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
    assertThat(Short.toUnsignedInt(f.get(U16_UNALIGNED, off))).as("u16 at 0x%x", off).isEqualTo(expected);
  }

  @Test
  void attachesWithoutClearingAndResumesFromTheGoldenIndices() throws Exception {
    Path file = Golden.copyTo(shm.newPath("openamp-golden"));
    Path socket = shm.newPath("openamp-sock");
    byte[] before = Files.readAllBytes(file);
    try (DummySocketPeer driver = DummySocketPeer.serve(socket);
        OpenAmpLink device = OpenAmpLink.open(OpenAmpOptions.of(SocketRole.CLIENT, VirtioRole.DEVICE)
            .withFile(file).withSocket(socket).withDriverOkTimeout(Duration.ofSeconds(10)));
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      assertThat(device.resourceTable().status()).isEqualTo(4);
      assertThat(rings(Files.readAllBytes(file))).as("rings untouched by attaching").isEqualTo(rings(before));
      MemorySegment f = ch.map(FileChannel.MapMode.READ_WRITE, 0, OpenAmpLayout.FILE_SIZE, java.lang.foreign.Arena.ofAuto());

      // The "C driver" sends one message on vring1 with its descriptor 0 (0x30000), as it did all along.
      byte[] hello = "hello from the golden driver".getBytes(StandardCharsets.US_ASCII);
      MemorySegment.copy(MemorySegment.ofArray(hello), 0, f, 0x30000, hello.length);
      f.set(U32_UNALIGNED, 0x8000 + 8, hello.length);
      f.set(U16_UNALIGNED, 0x9004 + 2 * (482 & 255), (short) 0);
      f.set(U16_UNALIGNED, 0x9002, (short) 483);
      driver.kick();
      byte[] got = device.queue(1).receive().next().map(l -> {
            byte[] b = l.toByteArray();
            l.release();
            return b;
          })
          .block(Duration.ofSeconds(30));
      assertThat(got).as("the first message is the new one: nothing stale was pending").isEqualTo(hello);
      // The buffer goes back on the used ring once released (the poller publishes it).
      awaitU16(f, 0xA002, 483);
      assertThat(f.get(U32_UNALIGNED, 0xA004 + 8 * (482 & 255))).as("used id").isZero();

      // The device answers into the next RX buffer the old driver posted on vring0 (avail slot 482).
      int head = Short.toUnsignedInt(f.get(U16_UNALIGNED, 0x5004 + 2 * (482 & 255)));
      long addr = f.get(U64_UNALIGNED, 0x4000 + 16L * head);
      assertThat(addr).isEqualTo(0x10000 + 0x200L * head);
      byte[] pong = "pong".getBytes(StandardCharsets.US_ASCII);
      device.queue(0).send(Flux.just(MemorySegment.ofArray(pong))).block(Duration.ofSeconds(30));
      awaitU16(f, 0x6002, 483);
      assertThat(f.get(U32_UNALIGNED, 0x6004 + 8 * (482 & 255))).isEqualTo(head);
      assertThat(f.get(U32_UNALIGNED, 0x6004 + 8 * (482 & 255) + 4)).isEqualTo(pong.length);
      assertThat(f.asSlice(addr, pong.length).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(pong);
      // vring0.avail.flags is 0 in the golden file: the device kicks.
      assertThat(driver.readByte()).isEqualTo(1);
    }
  }
}
