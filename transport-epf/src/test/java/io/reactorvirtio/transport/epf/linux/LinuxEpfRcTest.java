package io.reactorvirtio.transport.epf.linux;

import static io.reactorvirtio.transport.epf.linux.FakeEpfBoard.fileWord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.virtio.transport.VirtioRegisters;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LinuxEpfRc} on the sysfs/UIO path against {@link FakeEpfBoard}: plain files as BARs and
 * as reserved memory, a FIFO as {@code /dev/uio0}. The VFIO path cannot run here (no VFIO).
 */
class LinuxEpfRcTest {

  static final EpfBarMap LAYOUT = new EpfBarMap(0, 0x100, 2, 2, 0x40);

  @TempDir Path tmp;
  FakeEpfBoard board;

  @BeforeEach
  void board() throws Exception {
    board = new FakeEpfBoard(tmp);
  }

  LinuxEpfRc open() {
    return LinuxEpfRc.openSysfs(board.rcSys, FakeEpfBoard.ADDR, LAYOUT, board.rcUio(),
        Optional.of(board.reservedDram()));
  }

  @Test
  void registersLandInTheBarFileAtTheLayoutOffsetLittleEndian() throws Exception {
    try (LinuxEpfRc rc = open()) {
      assertThat(rc.registers().count()).isEqualTo(VirtioRegisters.count(2));
      rc.registers().write(VirtioRegisters.DEVICE_STATUS, 0x0A0B0C0D);
      rc.registers().write(0, 0x11223344);
      assertThat(fileWord(board.bar0, 0x100 + 4 * VirtioRegisters.DEVICE_STATUS)).isEqualTo(0x0A0B0C0D);
      assertThat(fileWord(board.bar0, 0x100)).isEqualTo(0x11223344);
      assertThat(fileWord(board.bar0, 0)).isZero(); // nothing before the offset
      assertThat(rc.registers().read(VirtioRegisters.DEVICE_STATUS)).isEqualTo(0x0A0B0C0D);
    }
  }

  @Test
  void doorbellWritesTheQueueIndexAtTheConfiguredOffset() throws Exception {
    try (LinuxEpfRc rc = open()) {
      rc.deviceDoorbell(1).ring();
      assertThat(fileWord(board.bar2, 0x40)).isEqualTo(1);
      assertThat(fileWord(board.bar2, 0x3C)).isZero();
      assertThat(fileWord(board.bar2, 0x44)).isZero();
      assertThat(fileWord(board.bar0, 0x40)).isZero(); // not in the register BAR
      Files.write(board.bar2, new byte[4096]);
      rc.deviceDoorbell(0).ring();
      byte[] after = Files.readAllBytes(board.bar2);
      assertThat(after).containsOnly(0); // queue 0 wrote a 0 (and nothing anywhere else)
      rc.deviceDoorbell(1).ring();
      assertThat(fileWord(board.bar2, 0x40)).isEqualTo(1);
      assertThatThrownBy(() -> rc.deviceDoorbell(2)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> rc.deviceDoorbell(-1)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void doorbellSharingTheRegisterBarIsWrittenThere() throws Exception {
    EpfBarMap shared = new EpfBarMap(0, 0, 2, 0, 0x800);
    try (LinuxEpfRc rc = LinuxEpfRc.openSysfs(board.rcSys, FakeEpfBoard.ADDR, shared,
        board.rcUio(), Optional.of(board.reservedDram()))) {
      rc.deviceDoorbell(1).ring();
      rc.registers().write(0, 5);
      assertThat(fileWord(board.bar0, 0x800)).isEqualTo(1);
      assertThat(fileWord(board.bar0, 0)).isEqualTo(5);
      assertThat(fileWord(board.bar2, 0x800)).isZero();
    }
    assertThatThrownBy(() -> new EpfBarMap(0, 0, 1, 0, 4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inside the register block");
  }

  @Test
  void memoryIsTheReservedRegionAtItsBusAddress() throws Exception {
    try (LinuxEpfRc rc = open()) {
      assertThat(rc.memoryBusAddress()).isEqualTo(FakeEpfBoard.BUS);
      assertThat(rc.memory().byteSize()).isEqualTo(FakeEpfBoard.DRAM);
      rc.memory().set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0x200, 0xCAFE);
      assertThat(fileWord(board.dram, 0x200)).isEqualTo(0xCAFE);
    }
  }

  @Test
  void withoutReservedMemoryTheSysfsPathRefusesNamingWhy() {
    assertThatThrownBy(() -> LinuxEpfRc.openSysfs(board.rcSys, FakeEpfBoard.ADDR, LAYOUT,
        board.rcUio(), Optional.empty()))
        .isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("no DMA path")
        .hasMessageContaining("without VFIO there is no safe way to give the endpoint bus addresses of user memory")
        .hasMessageContaining("FACTS §5.7")
        .hasMessageContaining("openVfio")
        .hasMessageContaining("ReservedMemory");
  }

  @Test
  void intxThroughUioWakesTheSourceAndReenablesInConfigSpace() throws Exception {
    try (LinuxEpfRc rc = open();
        OutputStream kernel = new FileOutputStream(board.rcDev.resolve("uio0").toFile())) {
      int token = rc.interrupts().arm();
      CompletableFuture<Void> parked =
          CompletableFuture.runAsync(() -> rc.interrupts().await(token, TimeUnit.SECONDS.toNanos(20)));
      Thread.sleep(100);
      assertThat(parked).isNotDone();
      kernel.write(FakeEpfBoard.count(1));
      kernel.flush();
      parked.get(10, TimeUnit.SECONDS);
      assertThat(((UioInterruptSource) rc.interrupts()).interruptsSeen()).isEqualTo(1);
      byte[] cfg = Files.readAllBytes(board.rcConfig);
      assertThat(cfg[5]).isZero(); // INTx-disable cleared in the UIO device's config file
      assertThat(cfg[4]).isEqualTo((byte) 0x06);
    }
  }

  @Test
  void linkIsDownWhenTheDeviceDisappearsOrAfterClose() throws Exception {
    LinuxEpfRc rc = open();
    assertThat(rc.hardwareLinkUp()).isTrue();
    Path gone = board.rcPciDir.resolveSibling("gone");
    Files.move(board.rcPciDir, gone);
    assertThat(rc.hardwareLinkUp()).isFalse();
    Files.move(gone, board.rcPciDir);
    assertThat(rc.hardwareLinkUp()).isTrue();
    rc.close();
    assertThat(rc.hardwareLinkUp()).isFalse();
    assertThatThrownBy(() -> rc.registers().read(0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> rc.memory().get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    rc.close(); // idempotent
  }

  @Test
  void aMissingBarFailsAndReleasesWhatWasOpened() throws Exception {
    Files.delete(board.rcPciDir.resolve("resource2"));
    assertThatThrownBy(() -> open()).isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("resource2");
  }

  @Test
  void vfioPathFailsBeforeTheFirstIoctlWithoutAnIommuGroup() {
    assertThatThrownBy(() -> LinuxEpfRc.openVfio(board.rcSys, board.rcDev, FakeEpfBoard.ADDR,
        LAYOUT, 1 << 16, 0x1000_0000L))
        .isInstanceOf(LinuxDeviceException.class).hasMessageContaining("IOMMU group");
    assertThatThrownBy(() -> LinuxEpfRc.openVfio(board.rcSys, board.rcDev, FakeEpfBoard.ADDR,
        LAYOUT, 1 << 16, 0x1000_0001L))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("page-aligned");
  }
}
