package io.reactorvirtio.transport.ntb.sim;

import static io.reactorvirtio.transport.ntb.sim.NtbSimLayout.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.testsupport.PeerProcess;
import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.virtio.memory.OutOfWindowException;
import io.reactorvirtio.virtio.memory.SharedRegion;
import io.reactorvirtio.virtio.spi.RegisterFile;
import io.reactorvirtio.virtio.transport.VirtioRegisters;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link SimulatedNtb} on real mapped {@code /dev/shm} files. */
class SimulatedNtbTest {

  static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final long BOUND = TimeUnit.SECONDS.toNanos(20);

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  static final NtbSimOptions SMALL = NtbSimOptions.defaults().withMwSize(64 * 1024);

  @Test
  void fileIsMode0600HoldsTheHeaderAndIsDeletedWhenHost1Closes() throws Exception {
    Path file = shm.newPath("ntb-sim");
    try (SimulatedNtb.Host1 h1 = SimulatedNtb.host1(file, SMALL)) {
      assertThat(Files.getPosixFilePermissions(file))
          .isEqualTo(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
      assertThat(Files.size(file)).isEqualTo(MW0_OFFSET + 64 * 1024);
      try (SimulatedNtb.Host2 h2 = SimulatedNtb.host2(file)) {
        assertThat(h2.options()).isEqualTo(SMALL);
      }
      assertThat(file).as("HOST2 closing leaves HOST1's file").exists();
      h1.close();
      assertThat(file).doesNotExist();
      h1.close(); // idempotent
    }
    assertThatThrownBy(() -> SimulatedNtb.host2(file)).isInstanceOf(UncheckedIOException.class);
  }

  @Test
  void host1RefusesAnExistingFileThatIsNotASameShapeNtbFileAndLeavesIt() throws Exception {
    Path other = shm.newPath("ntb-sim-other");
    Files.writeString(other, "someone else's");
    assertThatThrownBy(() -> SimulatedNtb.host1(other, SMALL)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(other.toString()).hasMessageContaining("not a simulated NTB file");
    assertThat(Files.readString(other)).isEqualTo("someone else's");

    Path zeros = shm.newPath("ntb-sim-zeros"); // the right size, but no magic
    Files.write(zeros, new byte[(int) NtbSimLayout.fileSize(SMALL.mwSize())]);
    assertThatThrownBy(() -> SimulatedNtb.host1(zeros, SMALL)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not a simulated NTB file");
    assertThat(Files.readAllBytes(zeros)).containsOnly(0);

    Path file = shm.newPath("ntb-sim");
    try (SimulatedNtb.Host1 h1 = SimulatedNtb.host1(file, SMALL)) {
      h1.registers().write(5, 0x5A5A);
      byte[] before = Files.readAllBytes(file);
      assertThatThrownBy(() -> SimulatedNtb.host1(file, SMALL.withMwSize(128 * 1024)))
          .as("an NTB file of another MW0 size").isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("need " + NtbSimLayout.fileSize(128 * 1024) + " bytes");
      assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }
  }

  @Test
  void host1TakesOverTheSameShapeFileAKilledHost1LeftKeepingTheScratchpads() throws Exception {
    Path file = shm.newPath("ntb-sim");
    // The "killed" HOST1: its file, link enable and latches stay behind (it is never closed here
    // before the new one takes over, as SIGKILL would leave them).
    SimulatedNtb.Host1 dead = SimulatedNtb.host1(file, SMALL);
    try (SimulatedNtb.Host2 h2 = SimulatedNtb.host2(file)) {
      h2.registers().write(VirtioRegisters.DEVICE_STATUS, 0x0F);
      h2.registers().write(127, 0xDEADBEEF);
      h2.driverDoorbell(3).ring();
      dead.setDbMask(1 << 9);
      dead.interrupts().arm(); // the dead poller was armed
      dead.memory().set(U32, 0x40, 0x1234_5678);
      assertThat(dead.db()).isEqualTo(1 << 3);

      try (SimulatedNtb.Host1 h1 = SimulatedNtb.host1(file, SMALL);
          SharedRegion raw = SharedRegion.open(file)) {
        assertThat(h1.options()).isEqualTo(SMALL);
        assertThat(h1.registers().read(VirtioRegisters.DEVICE_STATUS)).as("the device's published registers")
            .isEqualTo(0x0F);
        assertThat(h1.registers().read(127)).isEqualTo(0xDEADBEEF);
        assertThat(h1.db()).as("the dead HOST1's latch is cleared").isZero();
        assertThat(h1.dbMask()).as("and its mask").isZero();
        assertThat(raw.segment().get(U32, port(HOST1, DOORBELL) + 4)).as("and its futex armed flag").isZero();
        assertThat(h1.memory().get(U32, 0x40)).as("MW0 is kept").isEqualTo(0x1234_5678);
        assertThat(raw.segment().get(U64, MAGIC_OFFSET)).isEqualTo(MAGIC);
        assertThat(h1.hardwareLinkUp()).as("HOST2's link enable was kept").isTrue();
        assertThat(h2.hardwareLinkUp()).isTrue();
        assertThat(Files.getPosixFilePermissions(file))
            .isEqualTo(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));

        h2.driverDoorbell(0).ring(); // the new HOST1 gets interrupts
        h1.interrupts().arm();
        h1.interrupts().disarm();
        assertThat(h1.interrupts().lastBits()).isEqualTo(1);
        try (SimulatedNtb.Host2 another = SimulatedNtb.host2(file)) {
          assertThat(another.options()).as("the rewritten header validates").isEqualTo(SMALL);
        }
      }
      assertThat(file).as("the new HOST1 owns the file: closing deletes it").doesNotExist();
    } finally {
      dead.close(); // the file is already gone: nothing more to delete
    }
  }

  static Stream<Arguments> corruptions() {
    return Stream.of(
        corrupt("magic", "magic 0x1234", s -> s.set(U64, MAGIC_OFFSET, 0x1234L)),
        corrupt("version", "version 2", s -> s.set(U32, VERSION_OFFSET, 2)),
        corrupt("spad_count", "spad_count 64", s -> s.set(U32, SPAD_COUNT_OFFSET, 64)),
        corrupt("spad_count huge", "spad_count 4294967295", s -> s.set(U32, SPAD_COUNT_OFFSET, -1)),
        corrupt("db_count", "db_count 64", s -> s.set(U32, DB_COUNT_OFFSET, 64)),
        corrupt("mw_align", "mw_align 65536", s -> s.set(U32, MW_ALIGN_OFFSET, 65536)),
        corrupt("mw0_offset", "mw0_offset 0x0", s -> s.set(U64, MW0_OFFSET_OFFSET, 0L)),
        corrupt("mw0_size larger than file", "mw0_size 131072",
            s -> s.set(U64, MW0_SIZE_OFFSET, 128 * 1024L)),
        corrupt("mw0_size smaller than file", "mw0_size 4096",
            s -> s.set(U64, MW0_SIZE_OFFSET, 4096L)),
        corrupt("mw0_size negative", "mw0_size 18446744073709551615",
            s -> s.set(U64, MW0_SIZE_OFFSET, -1L)),
        corrupt("mw0_size unaligned", "mw0_size 65535",
            s -> s.set(U64, MW0_SIZE_OFFSET, 65535L)),
        corrupt("mw0_bus_base unaligned", "mw0_bus_base 0x4000000010",
            s -> s.set(U64, MW0_BUS_BASE_OFFSET, 0x40_0000_0010L)),
        corrupt("mw0_bus_base wraps", "mw0_bus_base 0xfffffffffffff000",
            s -> s.set(U64, MW0_BUS_BASE_OFFSET, 0xFFFF_FFFF_FFFF_F000L)));
  }

  static Arguments corrupt(String name, String message, Consumer<MemorySegment> change) {
    return Arguments.of(name, message, change);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptions")
  void host2RefusesACorruptedHeaderNamingTheField(String name, String message,
      Consumer<MemorySegment> change) {
    Path file = shm.newPath("ntb-sim");
    try (SimulatedNtb.Host1 h1 = SimulatedNtb.host1(file, SMALL);
        SharedRegion raw = SharedRegion.open(file)) {
      change.accept(raw.segment());
      assertThatThrownBy(() -> SimulatedNtb.host2(file))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(message)
          .hasMessageContaining(file.toString());
      assertThat(raw.segment().get(U32, port(HOST2, LINK_ENABLE)))
          .as("a refused HOST2 does not enable its link").isZero();
      assertThat(h1.hardwareLinkUp()).isFalse();
    }
  }

  @Test
  void host2RefusesAFileWhoseSizeDoesNotMatchTheHeader() throws Exception {
    Path file = shm.newPath("ntb-sim");
    try (SimulatedNtb.Host1 h1 = SimulatedNtb.host1(file, SMALL)) {
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        raf.setLength(MW0_OFFSET + 128 * 1024);
      }
      assertThatThrownBy(() -> SimulatedNtb.host2(file))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("mw0_size 65536")
          .hasMessageContaining("file size " + (MW0_OFFSET + 128 * 1024));
    }
    Path tiny = shm.newPath("ntb-sim-tiny");
    Files.write(tiny, new byte[100]);
    assertThatThrownBy(() -> SimulatedNtb.host2(tiny))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("file size 100");
  }

  @Test
  void ringSetsTheDoorbellBitAndTheConsumerClearsIt() {
    Path file = shm.newPath("ntb-sim");
    try (SimulatedNtb.Host1 h1 = SimulatedNtb.host1(file, SMALL);
        SimulatedNtb.Host2 h2 = SimulatedNtb.host2(file)) {
      NtbSimInterruptSource irq = h2.interrupts();
      int token = irq.arm();
      h1.deviceDoorbell(5).ring();
      h1.deviceDoorbell(30).ring();
      assertThat(h2.db()).isEqualTo((1 << 5) | (1 << 30));
      assertThat(h1.db()).as("HOST1's own latch is untouched").isZero();

      long t0 = System.nanoTime();
      irq.await(token, BOUND); // seq moved since arm: returns at once
      assertThat(System.nanoTime() - t0).isLessThan(BOUND);
      assertThat(irq.lastBits()).isEqualTo((1 << 5) | (1 << 30));
      assertThat(h2.db()).as("consumed bits are cleared").isZero();

      h1.deviceDoorbell(7).ring();
      token = irq.arm();
      irq.disarm();
      assertThat(irq.lastBits()).isEqualTo(1 << 7);
      assertThat(irq.consumedBits()).isEqualTo((1 << 5) | (1 << 30) | (1 << 7));
      assertThat(irq.batches()).isEqualTo(2);
      assertThat(h2.db()).isZero();
    }
  }

  @Test
  void queueZeroRingsBitZeroNotNothing() {
    Path file = shm.newPath("ntb-sim");
    try (SimulatedNtb.Host1 h1 = SimulatedNtb.host1(file, SMALL);
        SimulatedNtb.Host2 h2 = SimulatedNtb.host2(file)) {
      int before = h1.interrupts().arm();
      h2.driverDoorbell(0).ring();
      assertThat(h1.db()).as("queue 0 rings 1 << 0; the RFC's peer_db_set(index) rang 0").isEqualTo(1);
      assertThat(h1.interrupts().arm()).as("and raises the interrupt").isNotEqualTo(before);
      h1.interrupts().disarm();
      assertThat(h1.interrupts().lastBits()).isEqualTo(1);
      h1.deviceDoorbell(0).ring();
      assertThat(h2.db()).isEqualTo(1);
    }
  }

  @Test
  void queueIndicesWithoutADoorbellBitAreRefused() {
    Path file = shm.newPath("ntb-sim");
    try (SimulatedNtb.Host1 h1 = SimulatedNtb.host1(file, SMALL);
        SimulatedNtb.Host2 h2 = SimulatedNtb.host2(file)) {
      assertThatThrownBy(() -> h1.deviceDoorbell(32)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("queue index 32");
      assertThatThrownBy(() -> h1.deviceDoorbell(-1)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> h2.driverDoorbell(32)).isInstanceOf(IllegalArgumentException.class);
      h1.deviceDoorbell(31).ring();
      assertThat(h2.db()).isEqualTo(1 << 31);
    }
  }

  @Test
  void maskedBitsLatchWithoutInterruptAndInterruptWhenUnmasked() {
    Path file = shm.newPath("ntb-sim");
    try (SimulatedNtb.Host1 h1 = SimulatedNtb.host1(file, SMALL);
        SimulatedNtb.Host2 h2 = SimulatedNtb.host2(file)) {
      NtbSimInterruptSource irq = h1.interrupts();
      h1.setDbMask(1 << 2);
      assertThat(h1.dbMask()).isEqualTo(1 << 2);
      int token = irq.arm();
      h2.driverDoorbell(2).ring();
      assertThat(h1.db()).isEqualTo(1 << 2);
      assertThat(irq.arm()).as("a masked bit raises no interrupt").isEqualTo(token);
      h2.driverDoorbell(3).ring();
      int afterUnmasked = irq.arm();
      assertThat(afterUnmasked).isNotEqualTo(token);
      irq.disarm();
      assertThat(irq.lastBits()).as("only unmasked bits are consumed").isEqualTo(1 << 3);
      assertThat(h1.db()).isEqualTo(1 << 2);

      token = irq.arm();
      h1.clearDbMask(1 << 2);
      assertThat(irq.arm()).as("unmasking a latched bit interrupts").isNotEqualTo(token);
      irq.await(token, BOUND);
      assertThat(irq.lastBits()).isEqualTo(1 << 2);
      assertThat(h1.db()).isZero();
    }
  }

  @Test
  void aRingFromAnotherProcessWakesAParkedHost1() {
    Path file = shm.newPath("ntb-sim");
    try (SimulatedNtb.Host1 h1 = SimulatedNtb.host1(file, SMALL)) {
      NtbSimInterruptSource irq = h1.interrupts();
      int token = irq.arm();
      try (PeerProcess peer = PeerProcess.start(NtbSimRingPeer.class, file.toString(), "0")) {
        long t0 = System.nanoTime();
        irq.await(token, BOUND);
        long waited = System.nanoTime() - t0;
        peer.awaitLine("RANG", Duration.ofSeconds(20));
        assertThat(peer.waitFor(Duration.ofSeconds(20))).isZero();
        assertThat(waited).as("woken by the ring, not by the 20 s timeout").isLessThan(BOUND);
        assertThat(irq.lastBits()).as("bit 0 rung by the other process").isEqualTo(1);
        assertThat(h1.db()).isZero();
      }
    }
  }

  @Test
  void linkIsUpOnlyWhileBothSidesHaveItEnabled() {
    Path file = shm.newPath("ntb-sim");
    try (SimulatedNtb.Host1 h1 = SimulatedNtb.host1(file, SMALL)) {
      assertThat(h1.hardwareLinkUp()).isFalse();
      SimulatedNtb.Host2 h2 = SimulatedNtb.host2(file);
      assertThat(h1.hardwareLinkUp()).isTrue();
      assertThat(h2.hardwareLinkUp()).isTrue();
      h2.close();
      assertThat(h1.hardwareLinkUp()).isFalse();
      try (SimulatedNtb.Host2 again = SimulatedNtb.host2(file)) {
        assertThat(h1.hardwareLinkUp()).isTrue();
        h1.close();
        assertThat(again.hardwareLinkUp()).as("HOST1 closed (and its file is gone)").isFalse();
      }
    }
  }

  @Test
  void windowIsMw0AtTheBusBaseAndRefusesAnythingOutside() {
    long base = 0x0000_0080_0000_0000L;
    Path file = shm.newPath("ntb-sim");
    try (SimulatedNtb.Host1 h1 = SimulatedNtb.host1(file, SMALL.withMwBusBase(base));
        SimulatedNtb.Host2 h2 = SimulatedNtb.host2(file)) {
      long size = 64 * 1024;
      assertThat(h1.memoryBusAddress()).isEqualTo(base);
      assertThat(h1.memory().byteSize()).isEqualTo(size);
      var w = h2.window();
      assertThat(w.busBase()).isEqualTo(base);
      assertThat(w.size()).isEqualTo(size);

      h1.memory().set(U32, 0x100, 0xCAFEF00D);
      assertThat(w.slice(base + 0x100, 4).get(U32, 0)).isEqualTo(0xCAFEF00D);
      h2.window().slice(base + size - 4, 4).set(U32, 0, 0x5EED);
      assertThat(h1.memory().get(U32, size - 4)).isEqualTo(0x5EED);

      assertThat(w.contains(base, size)).isTrue();
      assertThat(w.contains(base - 1, 1)).isFalse();
      assertThat(w.contains(base + size - 4, 8)).isFalse();
      assertThat(w.contains(base + size, 1)).isFalse();
      assertThat(w.contains(MW0_OFFSET + 0x100, 4)).as("a file offset is not a bus address").isFalse();
      assertThat(w.contains(0, 4)).isFalse();
      assertThatThrownBy(() -> w.slice(base + size - 4, 8)).isInstanceOf(OutOfWindowException.class);
    }
  }

  @Test
  void scratchpadsAreOneRegisterFileSeenThroughBothMappings() {
    Path file = shm.newPath("ntb-sim");
    try (SimulatedNtb.Host1 h1 = SimulatedNtb.host1(file, SMALL);
        SimulatedNtb.Host2 h2 = SimulatedNtb.host2(file)) {
      RegisterFile r1 = h1.registers();
      RegisterFile r2 = h2.registers();
      assertThat(r1.count()).isEqualTo(128).isGreaterThanOrEqualTo(VirtioRegisters.count(VirtioRegisters.MAX_QUEUES));
      assertThat(r2.count()).isEqualTo(128);
      r1.write(0, 0x11);
      r1.write(127, 0xDEADBEEF);
      r2.write(VirtioRegisters.DEVICE_STATUS, 0x0F);
      assertThat(r2.read(0)).isEqualTo(0x11);
      assertThat(r2.read(127)).isEqualTo(0xDEADBEEF);
      assertThat(r1.read(VirtioRegisters.DEVICE_STATUS)).isEqualTo(0x0F);
      try (SharedRegion raw = SharedRegion.open(file)) {
        assertThat(raw.segment().get(U32, SPADS_OFFSET + 4 * 127)).isEqualTo(0xDEADBEEF);
      }
      assertThatThrownBy(() -> r1.read(128)).isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Test
  void optionsAreValidated() {
    NtbSimOptions d = NtbSimOptions.defaults();
    assertThat(d.mwSize()).isEqualTo(4L << 20);
    assertThat(d.mwBusBase()).isEqualTo(0x40_0000_0000L);
    assertThat(d.scratchpadCount()).isEqualTo(128);
    assertThat(d.doorbellCount()).isEqualTo(32);
    assertThatThrownBy(() -> d.withMwSize(0)).hasMessageContaining("mwSize 0");
    assertThatThrownBy(() -> d.withMwSize(4097)).hasMessageContaining("mwSize 4097");
    assertThatThrownBy(() -> d.withMwSize(2L << 30)).hasMessageContaining("mwSize");
    assertThatThrownBy(() -> d.withMwBusBase(0x1001)).hasMessageContaining("mwBusBase 0x1001");
    assertThatThrownBy(() -> d.withMwBusBase(0xFFFF_FFFF_FFFF_F000L)).hasMessageContaining("wraps");
    assertThatThrownBy(() -> new NtbSimOptions(4096, 0, 64, 32)).hasMessageContaining("scratchpadCount 64");
    assertThatThrownBy(() -> new NtbSimOptions(4096, 0, 128, 64)).hasMessageContaining("doorbellCount 64");
  }
}
