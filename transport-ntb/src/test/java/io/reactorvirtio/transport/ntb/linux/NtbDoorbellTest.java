package io.reactorvirtio.transport.ntb.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link NtbDoorbell}: the queue index is a bit number; every ring is one "s" command. */
class NtbDoorbellTest {

  @TempDir Path root;

  @Test
  void queueIndexIsABitNumberNotAMask() throws Exception {
    FakeNtbTool fake = new FakeNtbTool(root, 0, 1);
    fake.makeFifo("peer_db"); // see every write in order, as the kernel would
    NtbToolPort ntb = fake.port();
    // read+write open of a FIFO does not block and keeps a reader present for the doorbells
    try (FileChannel kernel = FileChannel.open(fake.dir.resolve("peer_db"),
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      NtbDoorbell q0 = ntb.doorbell(0);
      NtbDoorbell q3 = ntb.doorbell(3);
      NtbDoorbell q63 = ntb.doorbell(63);
      assertThat(q0.mask()).isEqualTo(1L); // the RFC's ntb_peer_db_set(ndev, 0) rang nothing
      assertThat(q3.mask()).isEqualTo(8L); // and (ndev, 3) rang bits 0 and 1
      q0.ring();
      q3.ring();
      q63.ring();
      q0.ring();
      String expected = "s 0x1\ns 0x8\ns 0x8000000000000000\ns 0x1\n";
      ByteBuffer buf = ByteBuffer.allocate(expected.length());
      while (buf.hasRemaining()) {
        kernel.read(buf);
      }
      assertThat(new String(buf.array(), StandardCharsets.US_ASCII)).isEqualTo(expected);
    }
  }

  @Test
  void rejectsBitsOutsideTheRegister() throws Exception {
    NtbToolPort ntb = new FakeNtbTool(root, 0, 1).port();
    assertThatThrownBy(() -> ntb.doorbell(64)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ntb.doorbell(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
