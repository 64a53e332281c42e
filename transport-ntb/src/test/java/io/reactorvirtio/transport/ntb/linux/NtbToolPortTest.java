package io.reactorvirtio.transport.ntb.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link NtbToolPort} against a fake ntb_tool debugfs tree in the kernel's formats. */
class NtbToolPortTest {

  @TempDir Path root;
  FakeNtbTool fake;
  NtbToolPort ntb;

  @BeforeEach
  void setUp() throws IOException {
    fake = new FakeNtbTool(root, 24, 1);
    ntb = fake.port();
  }

  @Test
  void readsPortsMasksAndLink() {
    assertThat(ntb.port()).isZero();
    assertThat(ntb.peerCount()).isEqualTo(1);
    assertThat(ntb.peerPort(0)).isEqualTo(1);
    assertThat(ntb.dbValidMask()).isEqualTo(0xffff);
    fake.set("db", "0x5\n");
    fake.set("db_mask", "0x8000000000000000\n");
    fake.set("peer_db", "0x40\n");
    fake.set("peer_db_mask", "0\n");
    assertThat(ntb.db()).isEqualTo(5);
    assertThat(ntb.dbMask()).isEqualTo(Long.MIN_VALUE);
    assertThat(ntb.peerDb()).isEqualTo(0x40);
    assertThat(ntb.peerDbMask()).isZero();
    assertThat(ntb.peerLinkUp(0)).isFalse();
    fake.set("peer0/link", "Y\n");
    assertThat(ntb.peerLinkUp(0)).isTrue();
    assertThat(ntb.scratchpadCount()).isEqualTo(24);
  }

  @Test
  void writesTheExactCommands() throws IOException {
    ntb.setLinkEnabled(true);
    assertThat(fake.get("link")).isEqualTo("Y\n");
    ntb.setLinkEnabled(false);
    assertThat(fake.get("link")).isEqualTo("N\n");
    ntb.clearDb(0x5);
    assertThat(fake.get("db")).isEqualTo("c 0x5\n");
    ntb.setDb(0x100);
    assertThat(fake.get("db")).isEqualTo("s 0x100\n");
    ntb.setDbMask(0x3);
    assertThat(fake.get("db_mask")).isEqualTo("s 0x3\n");
    ntb.clearDbMask(0x1);
    assertThat(fake.get("db_mask")).isEqualTo("c 0x1\n");
    ntb.ringPeer(1L << 40);
    assertThat(fake.get("peer_db")).isEqualTo("s 0x10000000000\n");
    ntb.clearPeerDb(1);
    assertThat(fake.get("peer_db")).isEqualTo("c 0x1\n");
    ntb.setPeerDbMask(0xf0);
    assertThat(fake.get("peer_db_mask")).isEqualTo("s 0xf0\n");
    ntb.clearPeerDbMask(0xf0);
    assertThat(fake.get("peer_db_mask")).isEqualTo("c 0xf0\n");
  }

  @Test
  void scratchpadsLocalAndPeer() throws IOException {
    ScratchpadAccess local = ntb.localScratchpads();
    ScratchpadAccess peer = ntb.peerScratchpads(0);
    assertThat(local.count()).isEqualTo(24);
    assertThat(local.read(3)).isZero(); // the kernel prints 0 as "0"
    fake.set("spad3", "0xdeadbeef\n");
    assertThat(local.read(3)).isEqualTo(0xdeadbeef);
    peer.write(1, 0x1af4);
    assertThat(fake.get("peer0/spad1")).isEqualTo("0x1af4\n");
    peer.write(2, -1);
    assertThat(fake.get("peer0/spad2")).isEqualTo("0xffffffff\n");
    assertThatThrownBy(() -> peer.read(24)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void memoryWindowsAreCopyOnly() throws IOException {
    ntb.setInboundWindowSize(0, 0, 0x100000);
    assertThat(fake.get("peer0/mw_trans0")).isEqualTo("0x100000\n");
    fake.set("peer0/mw_trans0", "Inbound MW     \t0\n"
        + "Port           \t1 (0)\n"
        + "Window Address \t0x00000000deadbeef\n"
        + "DMA Address    \t0x00000000fee00000\n"
        + "Window Size    \t0x0000000000100000\n"
        + "Alignment      \t0x0000000000001000\n"
        + "Size Alignment \t0x0000000000001000\n"
        + "Size Max       \t0x0000000000400000\n");
    assertThat(ntb.inboundWindowDmaAddress(0, 0)).isEqualTo(0xfee00000L);
    assertThat(ntb.windowInfo(0, 0, false)).containsEntry("Size Max", "0x0000000000400000");

    ntb.setOutboundWindow(0, 0, 0xfee00000L, 0x100000);
    assertThat(fake.get("peer0/peer_mw_trans0")).isEqualTo("0xfee00000:1048576\n");
    ntb.setOutboundWindow(0, 0, 0x0000_0010_0000_0000L, 0x4000_0000L);
    assertThat(fake.get("peer0/peer_mw_trans0")).isEqualTo("0x1000000000:1073741824\n");
    assertThatThrownBy(() -> ntb.setOutboundWindow(0, 0, 0xffff_ffff_ffff_f000L, 0x7fff_ffff_ffffL))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("31 bytes");

    Files.write(fake.dir.resolve("peer0/mw0"), new byte[64]);
    Files.write(fake.dir.resolve("peer0/peer_mw0"), new byte[64]);
    ByteBuffer hello = ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII));
    assertThat(ntb.writeOutboundWindow(0, 0, 10, hello)).isEqualTo(5);
    ByteBuffer back = ByteBuffer.allocate(5);
    assertThat(ntb.readOutboundWindow(0, 0, 10, back)).isEqualTo(5);
    assertThat(new String(back.array(), StandardCharsets.US_ASCII)).isEqualTo("hello");
    byte[] file = Files.readAllBytes(fake.dir.resolve("peer0/peer_mw0"));
    assertThat(file).hasSize(64);
    assertThat(file[10]).isEqualTo((byte) 'h');
    // reading past the window end stops (ntb_tool returns 0 there)
    ByteBuffer tail = ByteBuffer.allocate(16);
    assertThat(ntb.readInboundWindow(0, 0, 56, tail)).isEqualTo(8);
    assertThat(ntb.writeInboundWindow(0, 0, 0, ByteBuffer.wrap(new byte[] {7}))).isEqualTo(1);
  }

  @Test
  void waitPeerLinkEventBlocksUntilTheKernelAccepts() throws Exception {
    // The kernel holds a write to link_event until the link is in the requested state; a FIFO
    // holds the opening writer until a reader (the fake kernel) arrives.
    fake.makeFifo("peer0/link_event");
    CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> ntb.waitPeerLinkEvent(0, true));
    Thread.sleep(100);
    assertThat(waiting).isNotDone();
    byte[] got = Files.readAllBytes(fake.dir.resolve("peer0/link_event")); // "link comes up"
    waiting.get(10, TimeUnit.SECONDS);
    assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo("Y\n");
  }

  @Test
  void awaitPeerLinkPollsWithABound() throws Exception {
    assertThat(ntb.awaitPeerLink(0, true, Duration.ofMillis(30), Duration.ofMillis(5))).isFalse();
    CompletableFuture<Boolean> up = CompletableFuture.supplyAsync(
        () -> ntb.awaitPeerLink(0, true, Duration.ofSeconds(20), Duration.ofMillis(2)));
    Thread.sleep(30);
    fake.set("peer0/link", "Y\n");
    assertThat(up.get(20, TimeUnit.SECONDS)).isTrue();
    assertThat(ntb.awaitPeerLink(0, true, Duration.ZERO, Duration.ofMillis(1))).isTrue();
  }

  @Test
  void clearErrors() throws IOException {
    assertThatThrownBy(() -> NtbToolPort.open(root.resolve("nodebugfs"), FakeNtbTool.DEV))
        .isInstanceOf(NtbToolException.class).hasMessageContaining("modprobe ntb_tool");
    assertThatThrownBy(() -> NtbToolPort.open(root, "0000:09:00.0"))
        .isInstanceOf(NtbToolException.class).hasMessageContaining("no NTB device '0000:09:00.0'")
        .hasMessageContaining(FakeNtbTool.DEV);
    assertThatThrownBy(() -> ntb.peerLinkUp(3)).isInstanceOf(NtbToolException.class)
        .hasMessageContaining("has no peer 3");
    fake.set("db", "bogus\n");
    assertThatThrownBy(ntb::db).isInstanceOf(NtbToolException.class)
        .hasMessageContaining("expected a hex number").hasMessageContaining("bogus");
    fake.set("peer0/link", "maybe\n");
    assertThatThrownBy(() -> ntb.peerLinkUp(0)).isInstanceOf(NtbToolException.class)
        .hasMessageContaining("expected Y or N");
    assertThatThrownBy(() -> ntb.readInboundWindow(0, 1, 0, ByteBuffer.allocate(1)))
        .isInstanceOf(NtbToolException.class).hasMessageContaining("set the window up first");
    Files.delete(fake.dir.resolve("peer_db"));
    assertThatThrownBy(() -> ntb.ringPeer(1)).isInstanceOf(NtbToolException.class)
        .hasMessageContaining("peer_db does not exist");
  }
}
