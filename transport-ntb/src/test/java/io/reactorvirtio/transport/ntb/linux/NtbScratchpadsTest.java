package io.reactorvirtio.transport.ntb.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link NtbScratchpads} puts each handshake field at the RFC's index (FACTS §3.10). */
class NtbScratchpadsTest {

  @TempDir Path root;

  @Test
  void fieldsLandAtTheRfcIndices() {
    ScratchpadAccess bank = ScratchpadAccess.inMemory(32);
    NtbScratchpads s = new NtbScratchpads(bank);
    s.setVirtioType(NtbScratchpadLayout.TYPE_VHOST);
    s.setVendorId(0x1af4);
    s.setDeviceId(7);
    s.setVhostFeatures(0x0000_0001_0000_0003L);
    s.setVirtioFeatures(0x0000_0002_8000_0001L);
    s.setMw0(0x0000_0010_fee0_0000L, 0x0000_0001_0010_0000L);
    s.setDeviceStatus(0x0f);
    s.setConfigGeneration(5);
    s.setCommand(2);
    s.setCommandStatus(1);
    s.setQueueNumBuffers(0, 256);
    s.setQueueNumBuffers(7, 128);
    s.setDeviceConfig(0, 0xabcd);

    int[] expected = new int[32];
    expected[0] = 2;
    expected[1] = 0x1af4;
    expected[2] = 7;
    expected[3] = 1; // VHOST_FEATURES hi
    expected[4] = 3; // lo
    expected[5] = 2; // VIRTIO_FEATURES hi
    expected[6] = 0x8000_0001; // lo
    expected[7] = 0x0010_0000; // MW0 size lo
    expected[8] = 1; // hi
    expected[9] = 0xfee0_0000; // MW0 addr lo
    expected[10] = 0x10; // hi
    expected[11] = 0x0f;
    expected[12] = 5;
    expected[13] = 2;
    expected[14] = 1;
    expected[15] = 256;
    expected[22] = 128;
    expected[23] = 0xabcd;
    for (int i = 0; i < 32; i++) {
      assertThat(bank.read(i)).as("scratchpad %d", i).isEqualTo(expected[i]);
    }
    assertThat(s.virtioType()).isEqualTo(2);
    assertThat(s.vendorId()).isEqualTo(0x1af4);
    assertThat(s.deviceId()).isEqualTo(7);
    assertThat(s.vhostFeatures()).isEqualTo(0x0000_0001_0000_0003L);
    assertThat(s.virtioFeatures()).isEqualTo(0x0000_0002_8000_0001L);
    assertThat(s.mw0Address()).isEqualTo(0x0000_0010_fee0_0000L);
    assertThat(s.mw0Size()).isEqualTo(0x0000_0001_0010_0000L);
    assertThat(s.deviceStatus()).isEqualTo(0x0f);
    assertThat(s.configGeneration()).isEqualTo(5);
    assertThat(s.command()).isEqualTo(2);
    assertThat(s.commandStatus()).isEqualTo(1);
    assertThat(s.queueNumBuffers(7)).isEqualTo(128);
    assertThat(s.deviceConfig(0)).isEqualTo(0xabcd);
  }

  @Test
  void sameCodeOverNtbToolFiles() throws Exception {
    FakeNtbTool fake = new FakeNtbTool(root, 24, 1);
    NtbToolPort ntb = fake.port();
    NtbScratchpads peer = new NtbScratchpads(ntb.peerScratchpads(0));
    peer.setVhostFeatures(0xffff_ffff_0000_0001L);
    assertThat(fake.get("peer0/spad3")).isEqualTo("0xffffffff\n");
    assertThat(fake.get("peer0/spad4")).isEqualTo("0x1\n");
    assertThat(peer.vhostFeatures()).isEqualTo(0xffff_ffff_0000_0001L);
    fake.set("spad11", "0x7\n");
    assertThat(new NtbScratchpads(ntb.localScratchpads()).deviceStatus()).isEqualTo(7);
  }

  @Test
  void badSizesAndValues() {
    assertThatThrownBy(() -> new NtbScratchpads(ScratchpadAccess.inMemory(16)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 23 scratchpads");
    NtbScratchpads s = new NtbScratchpads(ScratchpadAccess.inMemory(23));
    assertThatThrownBy(() -> s.setDeviceConfig(0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> s.queueNumBuffers(8)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> s.setVirtioType(3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> s.setDeviceStatus(0x100)).isInstanceOf(IllegalArgumentException.class);
    assertThat(NtbScratchpadLayout.queueNumBuffers(0)).isEqualTo(15);
    assertThat(NtbScratchpadLayout.deviceConfig(0)).isEqualTo(23);
  }
}
