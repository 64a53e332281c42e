package io.reactorvirtio.transport.openamp;

import static io.reactorvirtio.transport.openamp.OpenAmpLayout.*;
import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U16;
import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U32;
import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U64;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.rpmsg.EndpointOptions;
import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.rpmsg.RpmsgEndpoint;
import io.reactorvirtio.rpmsg.RpmsgMessage;
import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.transport.openamp.OpenAmpOptions.SocketRole;
import io.reactorvirtio.transport.openamp.OpenAmpOptions.VirtioRole;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

/**
 * Our DRIVER against a device played by hand the way OpenAMP's C device behaves (FACTS §9.3): it
 * writes an rpmsg message into the driver's posted RX buffer and reports used len 512 (the whole
 * buffer, not the message), and it reads the driver's TX buffers from 0x30000 upward.
 */
class OpenAmpDeviceByHandTest {

  static final Duration T = Duration.ofSeconds(30);

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + T.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  private static int u16(MemorySegment f, long off) {
    return Short.toUnsignedInt((short) U16.varHandle().getAcquire(f, off));
  }

  @Test
  void driverTakesTheMessageLengthFromTheHeaderAndSendsFromTheTxPool() throws Exception {
    Path file = shm.newPath("openamp-byhand");
    Path socket = shm.newPath("openamp-sock");
    byte[] init = new byte[(int) FILE_SIZE];
    writeTable(MemorySegment.ofArray(init), VIRTIO_ID_RPMSG, VIRTIO_RPMSG_F_NS); // the server's table
    Files.write(file, init);
    try (DummySocketPeer device = DummySocketPeer.serve(socket);
        OpenAmpLink link = OpenAmpLink.open(OpenAmpOptions.of(SocketRole.CLIENT, VirtioRole.DRIVER)
            .withFile(file).withSocket(socket).withConnectTimeout(T));
        RpmsgBus bus = RpmsgEcho.bus(link, "driver");
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      MemorySegment f = ch.map(FileChannel.MapMode.READ_WRITE, 0, FILE_SIZE, Arena.ofAuto());
      assertThat(f.get(ValueLayout.JAVA_BYTE, VDEV_ENTRY_OFFSET + VDEV_STATUS)).isEqualTo((byte) 4);
      assertThat(f.get(U32, VDEV_ENTRY_OFFSET + VDEV_GFEATURES)).isEqualTo(1);
      assertThat(device.readByte()).as("the driver kicks after DRIVER_OK").isEqualTo(1);
      await(() -> u16(f, 0x5002) == 256, "256 RX buffers posted");
      RpmsgEndpoint ep = bus.createEndpoint(EndpointOptions.anonymous().at(0x401)).block(T);

      // The "C device": avail slot 0 of vring0 -> descriptor -> buffer; header + "hello"; used len 512.
      int head = u16(f, 0x5004);
      long buf = f.get(U64, 0x4000 + 16L * head);
      assertThat(buf).isEqualTo(0x10000 + 0x200L * head);
      byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
      f.set(U32, buf, 0x400);          // src
      f.set(U32, buf + 4, 0x401);      // dst
      f.set(U32, buf + 8, 0);          // reserved
      f.set(U16, buf + 12, (short) hello.length);
      f.set(U16, buf + 14, (short) 0);
      MemorySegment.copy(MemorySegment.ofArray(hello), 0, f, buf + 16, hello.length);
      f.set(U32, 0x6004, head);
      f.set(U32, 0x6008, 512);
      U16.varHandle().setRelease(f, 0x6002L, (short) 1);
      device.kick();
      RpmsgMessage m = ep.receive().next().block(T);
      try {
        assertThat(m.source()).isEqualTo(0x400);
        assertThat(m.length()).isEqualTo(hello.length);
        assertThat(m.toByteArray()).isEqualTo(hello);
      } finally {
        m.release();
      }

      // The driver answers: the message lands in a TX buffer carved from 0x30000 on vring1.
      ep.sendTo(0x400, Mono.just(MemorySegment.ofArray("world".getBytes(StandardCharsets.US_ASCII))), T).block(T);
      await(() -> u16(f, 0x9002) == 1, "one message on vring1");
      int txHead = u16(f, 0x9004);
      long txBuf = f.get(U64, 0x8000 + 16L * txHead);
      assertThat(txBuf).isBetween(TX_BUFFERS, BUFFER_POOL_END - BUFFER_SIZE);
      assertThat((txBuf - TX_BUFFERS) % BUFFER_SIZE).isZero();
      assertThat(f.get(U32, txBuf)).as("src").isEqualTo(0x401);
      assertThat(f.get(U32, txBuf + 4)).as("dst").isEqualTo(0x400);
      assertThat(Short.toUnsignedInt(f.get(U16, txBuf + 12))).as("len").isEqualTo(5);
      assertThat(f.asSlice(txBuf + 16, 5).toArray(ValueLayout.JAVA_BYTE))
          .isEqualTo("world".getBytes(StandardCharsets.US_ASCII));
    }
  }
}
