package io.reactorvirtio.transport.ntb.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.virtio.memory.OutOfWindowException;
import io.reactorvirtio.virtio.spi.RegisterFile;
import io.reactorvirtio.virtio.transport.VirtioRegisters;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LinuxNtb#host2} on a fake ntb_tool tree and a plain file standing in for {@code resourceN}. */
class LinuxNtbTest {

  static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final long BUS = 0x0000_0001_fee0_0000L;
  static final int WINDOW = 64 * 1024;
  static final Duration POLL = Duration.ofMillis(1);

  @TempDir Path root;
  FakeNtbTool fake;
  Path resource;

  @BeforeEach
  void setUp() throws Exception {
    fake = new FakeNtbTool(root.resolve("debugfs"), 128, 1);
    resource = root.resolve("resource2");
    Files.write(resource, new byte[WINDOW]);
  }

  LinuxNtb.Host2 open() {
    return LinuxNtb.host2(fake.port(), 0, resource, BUS, POLL);
  }

  @Test
  void enablesTheLinkOnOpenDisablesItOnCloseAndReportsThePeerLink() throws Exception {
    LinuxNtb.Host2 h2 = open();
    assertThat(fake.get("link")).isEqualTo("Y\n");
    assertThat(h2.hardwareLinkUp()).isFalse();
    fake.set("peer0/link", "Y\n");
    assertThat(h2.hardwareLinkUp()).isTrue();
    assertThat(h2.name()).isEqualTo("ntb:" + FakeNtbTool.DEV + ":peer0");
    h2.close();
    assertThat(fake.get("link")).isEqualTo("N\n");
    h2.close(); // idempotent
    assertThatThrownBy(() -> h2.window().segment().get(U32, 0)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void registersAreThePeerScratchpadFiles() throws Exception {
    try (LinuxNtb.Host2 h2 = open()) {
      RegisterFile r = h2.registers();
      assertThat(r.count()).isEqualTo(128);
      r.write(VirtioRegisters.DEVICE_STATUS, 0xF);
      assertThat(fake.get("peer0/spad" + VirtioRegisters.DEVICE_STATUS)).isEqualTo("0xf\n");
      assertThat(fake.get("spad" + VirtioRegisters.DEVICE_STATUS)).as("local bank untouched").isEqualTo("0\n");
      fake.set("peer0/spad99", "0xdeadbeef\n");
      assertThat(r.read(99)).isEqualTo(0xDEADBEEF);
      assertThatThrownBy(() -> r.read(128)).isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Test
  void driverDoorbellRingsPeerBitQueueIncludingBitZero() throws Exception {
    try (LinuxNtb.Host2 h2 = open()) {
      h2.driverDoorbell(0).ring();
      assertThat(fake.get("peer_db")).isEqualTo("s 0x1\n");
      h2.driverDoorbell(3).ring();
      assertThat(fake.get("peer_db")).isEqualTo("s 0x8\n");
      assertThatThrownBy(() -> h2.driverDoorbell(64)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void interruptsWakeOnLocalDoorbellBitsAndClearThem() throws Exception {
    try (LinuxNtb.Host2 h2 = open()) {
      NtbDoorbellInterruptSource irq = h2.interrupts();
      assertThat(irq.bits()).as("every valid bit of db_valid_mask").isEqualTo(0xffff);
      fake.set("db", "0x4\n");
      int token = irq.arm();
      long t0 = System.nanoTime();
      irq.await(token, TimeUnit.SECONDS.toNanos(20));
      assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(20));
      assertThat(irq.lastBits()).isEqualTo(0x4);
      assertThat(fake.get("db")).isEqualTo("c 0x4\n");
    }
  }

  @Test
  void windowIsTheMappedResourceFileAtHost1sBusAddress() throws Exception {
    try (LinuxNtb.Host2 h2 = open()) {
      var w = h2.window();
      assertThat(w.busBase()).isEqualTo(BUS);
      assertThat(w.size()).isEqualTo(WINDOW);
      w.slice(BUS + 0x40, 4).set(U32, 0, 0x12345678);
      assertThat(w.contains(BUS + WINDOW - 4, 8)).isFalse();
      assertThat(w.contains(BUS - 4, 4)).isFalse();
      assertThat(w.contains(0x40, 4)).as("an offset is not a bus address").isFalse();
      assertThatThrownBy(() -> w.slice(BUS + WINDOW, 1)).isInstanceOf(OutOfWindowException.class);
    }
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(resource)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes.getInt(0x40)).as("written through the MAP_SHARED mapping").isEqualTo(0x12345678);
  }

  @Test
  void refusesTooFewScratchpadsWithoutEnablingTheLink() throws Exception {
    FakeNtbTool small = new FakeNtbTool(root.resolve("small"), 16, 1);
    assertThatThrownBy(() -> LinuxNtb.host2(small.port(), 0, resource, BUS, POLL))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has 16 scratchpads")
        .hasMessageContaining("needs " + VirtioRegisters.count(8));
    assertThat(small.get("link")).isEmpty();
  }

  @Test
  void refusesAMissingPeerOrWindow() throws Exception {
    assertThatThrownBy(() -> LinuxNtb.host2(fake.port(), 1, resource, BUS, POLL))
        .isInstanceOf(NtbToolException.class)
        .hasMessageContaining("no peer 1");
    Path empty = Files.createFile(root.resolve("resource4"));
    assertThatThrownBy(() -> LinuxNtb.host2(fake.port(), 0, empty, BUS, POLL))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> LinuxNtb.host2(fake.port(), 0, root.resolve("nope"), BUS, POLL))
        .isInstanceOf(UncheckedIOException.class);
    assertThat(fake.get("link")).as("no failed open enabled the link").isEmpty();
  }
}
