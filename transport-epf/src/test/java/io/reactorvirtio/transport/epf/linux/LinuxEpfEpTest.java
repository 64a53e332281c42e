package io.reactorvirtio.transport.epf.linux;

import static io.reactorvirtio.transport.epf.linux.FakeEpfBoard.fileWord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.virtio.memory.OutOfWindowException;
import io.reactorvirtio.virtio.memory.Window;
import io.reactorvirtio.virtio.notify.PollingInterruptSource;
import io.reactorvirtio.virtio.transport.VirtioRegisters;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LinuxEpfEp} against {@link FakeEpfBoard}, and with {@link LinuxEpfRc} on the other side of
 * the same files: what one side writes through its mapping the other reads through its own.
 */
class LinuxEpfEpTest {

  static final String EPC = "4c000000.pcie-ep";
  static final String DRIVER = "pci_epf_rvirtio";
  static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  @TempDir Path tmp;
  FakeEpfBoard board;
  Path configfs;

  @BeforeEach
  void board() throws Exception {
    board = new FakeEpfBoard(tmp);
    configfs = tmp.resolve("ep/config");
    Files.createDirectories(configfs.resolve("pci_ep/functions").resolve(DRIVER));
    Path ctrl = Files.createDirectories(configfs.resolve("pci_ep/controllers").resolve(EPC));
    Files.writeString(ctrl.resolve("start"), "0\n");
    Files.createDirectories(board.epSys.resolve("class/pci_epc").resolve(EPC));
  }

  LinuxEpfEp.Config config() {
    return LinuxEpfEp.Config.polling(board.epUio(0), 0, 0x100, 2, 0x80, board.epUio(1), 0,
        FakeEpfBoard.BUS, Duration.ofMillis(1));
  }

  LinuxEpfRc rc() {
    return LinuxEpfRc.openSysfs(board.rcSys, FakeEpfBoard.ADDR,
        new EpfBarMap(0, 0x100, 2, 2, 0x40), board.rcUio(), Optional.of(board.reservedDram()));
  }

  @Test
  void registersWrittenByOneSideAreReadThroughTheOthersMapping() {
    try (LinuxEpfRc rc = rc(); LinuxEpfEp ep = LinuxEpfEp.open(config())) {
      assertThat(ep.registers().count()).isEqualTo(rc.registers().count());
      ep.registers().write(VirtioRegisters.MAGIC, VirtioRegisters.MAGIC_VALUE);
      ep.registers().write(VirtioRegisters.DEVICE_FEATURE_HI, 1);
      assertThat(rc.registers().read(VirtioRegisters.MAGIC)).isEqualTo(VirtioRegisters.MAGIC_VALUE);
      assertThat(rc.registers().read(VirtioRegisters.DEVICE_FEATURE_HI)).isEqualTo(1);
      int q1desc = VirtioRegisters.queue(1, VirtioRegisters.QUEUE_DESC_LO);
      rc.registers().write(q1desc, 0x8000_1000);
      assertThat(ep.registers().read(q1desc)).isEqualTo(0x8000_1000);
      assertThat(ep.registers().read(VirtioRegisters.STATUS_ACK)).isZero();
    }
  }

  @Test
  void rcMemoryIsReadThroughTheWindowAtBusAddresses() {
    try (LinuxEpfRc rc = rc(); LinuxEpfEp ep = LinuxEpfEp.open(config())) {
      rc.memory().set(LE32, 0x2000, 0x600DF00D);
      long bus = rc.memoryBusAddress() + 0x2000;
      assertThat(ep.window().slice(bus, 4).get(LE32, 0)).isEqualTo(0x600DF00D);
      ep.window().slice(bus + 4, 4).set(LE32, 0, 42);
      assertThat(rc.memory().get(LE32, 0x2004)).isEqualTo(42);
    }
  }

  @Test
  void windowRefusesBusAddressesOutsideIt() {
    try (LinuxEpfEp ep = LinuxEpfEp.open(config())) {
      Window w = ep.window();
      assertThat(w.busBase()).isEqualTo(FakeEpfBoard.BUS);
      assertThat(w.size()).isEqualTo(FakeEpfBoard.DRAM);
      assertThat(w.contains(FakeEpfBoard.BUS, FakeEpfBoard.DRAM)).isTrue();
      assertThat(w.contains(FakeEpfBoard.BUS - 1, 1)).isFalse();
      assertThat(w.contains(FakeEpfBoard.BUS + FakeEpfBoard.DRAM - 2, 4)).isFalse();
      assertThat(w.contains(0, 16)).isFalse();
      assertThatThrownBy(() -> w.slice(FakeEpfBoard.BUS + FakeEpfBoard.DRAM, 1))
          .isInstanceOf(OutOfWindowException.class);
      assertThatThrownBy(() -> w.slice(-8L, 16)).isInstanceOf(OutOfWindowException.class);
    }
  }

  @Test
  void driverDoorbellWritesTheQueueIndexToTheMsiRequestRegister() throws IOException {
    try (LinuxEpfEp ep = LinuxEpfEp.open(config())) {
      ep.driverDoorbell(1).ring();
      assertThat(fileWord(board.bar0, 0x80)).isEqualTo(1);
      assertThat(fileWord(board.bar0, 0x7C)).isZero();
      assertThat(fileWord(board.bar0, 0x84)).isZero();
      for (int i = 0; i < ep.registers().count(); i++) {
        assertThat(ep.registers().read(i)).as("register %d", i).isZero();
      }
      assertThatThrownBy(() -> ep.driverDoorbell(2)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> LinuxEpfEp.Config.polling(board.epUio(0), 0, 0x100, 2, 0x104,
        board.epUio(1), 0, FakeEpfBoard.BUS, Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps");
  }

  @Test
  void pollsAtTheConfiguredIntervalWithoutADoorbellInterrupt() {
    LinuxEpfEp.Config c = LinuxEpfEp.Config.polling(board.epUio(0), 0, 0x100, 2, 0x80,
        board.epUio(1), 0, FakeEpfBoard.BUS, Duration.ofMillis(7));
    try (LinuxEpfEp ep = LinuxEpfEp.open(c)) {
      assertThat(ep.interrupts()).isInstanceOf(PollingInterruptSource.class);
      assertThat(((PollingInterruptSource) ep.interrupts()).interval()).isEqualTo(Duration.ofMillis(7));
      long t0 = System.nanoTime();
      ep.interrupts().await(ep.interrupts().arm(), TimeUnit.SECONDS.toNanos(5));
      assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(2));
    }
  }

  @Test
  void doorbellInterruptThroughUioWakesTheSource() throws Exception {
    LinuxEpfEp.Config c = config().withDoorbellInterrupt(board.epUio(2), UioIrqReenable.none());
    try (LinuxEpfEp ep = LinuxEpfEp.open(c);
        OutputStream kernel = new FileOutputStream(board.epDev.resolve("uio2").toFile())) {
      assertThat(ep.interrupts()).isInstanceOf(UioInterruptSource.class);
      int token = ep.interrupts().arm();
      CompletableFuture<Void> parked =
          CompletableFuture.runAsync(() -> ep.interrupts().await(token, TimeUnit.SECONDS.toNanos(20)));
      Thread.sleep(150);
      assertThat(parked).isNotDone();
      kernel.write(FakeEpfBoard.count(1));
      kernel.flush();
      parked.get(10, TimeUnit.SECONDS);
      assertThat(((UioInterruptSource) ep.interrupts()).interruptsSeen()).isEqualTo(1);
    }
  }

  static void kernelPopulates(Path function) {
    try {
      for (String a : PciEndpointConfigfsTest.ATTRIBUTES) {
        Files.writeString(function.resolve(a), a.equals("vendorid") ? "0xffff\n" : "0x0\n");
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void kernelDepopulates(Path function) {
    try {
      for (String a : PciEndpointConfigfsTest.ATTRIBUTES) {
        Files.deleteIfExists(function.resolve(a));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void setUpWritesTheFunctionBindsStartsAndCloseTearsItDown() throws Exception {
    PciEndpointConfigfs cfs = new PciEndpointConfigfs(configfs, board.epSys);
    Path dir = configfs.resolve("pci_ep/functions").resolve(DRIVER).resolve("rpmsg0");
    Path link = configfs.resolve("pci_ep/controllers").resolve(EPC).resolve("rpmsg0");
    Path start = configfs.resolve("pci_ep/controllers").resolve(EPC).resolve("start");
    LinuxEpfEp ep = LinuxEpfEp.setUp(cfs, new LinuxEpfEp.FunctionSetup(DRIVER, "rpmsg0", EPC, 7),
        config(), LinuxEpfEpTest::kernelPopulates, LinuxEpfEpTest::kernelDepopulates);
    assertThat(Files.readString(dir.resolve("vendorid"))).isEqualTo("0x1af4\n");
    assertThat(Files.readString(dir.resolve("deviceid"))).isEqualTo("0x1047\n");
    assertThat(Files.readString(dir.resolve("msi_interrupts"))).isEqualTo("3\n");
    assertThat(Files.readString(dir.resolve("interrupt_pin"))).isEqualTo("1\n");
    assertThat(Files.readSymbolicLink(link)).isEqualTo(dir.toAbsolutePath());
    assertThat(Files.readString(start)).isEqualTo("1\n");
    assertThat(ep.name()).isEqualTo("epf-ep:" + DRIVER + "/rpmsg0");
    assertThat(ep.hardwareLinkUp()).isTrue();
    ep.registers().write(0, 9);
    assertThat(fileWord(board.bar0, 0x100)).isEqualTo(9);

    ep.close();
    assertThat(Files.readString(start)).isEqualTo("0\n");
    assertThat(link).doesNotExist();
    assertThat(Files.isSymbolicLink(link)).isFalse();
    assertThat(dir).doesNotExist();
    assertThat(ep.hardwareLinkUp()).isFalse();
    assertThatThrownBy(() -> ep.registers().read(0)).isInstanceOf(IllegalStateException.class);
    ep.close(); // idempotent
  }

  @Test
  void setUpUndoesConfigfsWhenAMapCannotBeOpened() throws Exception {
    PciEndpointConfigfs cfs = new PciEndpointConfigfs(configfs, board.epSys);
    Path dir = configfs.resolve("pci_ep/functions").resolve(DRIVER).resolve("rpmsg0");
    Path link = configfs.resolve("pci_ep/controllers").resolve(EPC).resolve("rpmsg0");
    LinuxEpfEp.Config bad = LinuxEpfEp.Config.polling(board.epUio(0), 3, 0, 1, 0x80,
        board.epUio(1), 0, FakeEpfBoard.BUS, Duration.ofMillis(1));
    assertThatThrownBy(() -> LinuxEpfEp.setUp(cfs, new LinuxEpfEp.FunctionSetup(DRIVER, "rpmsg0", EPC, 7),
        bad, LinuxEpfEpTest::kernelPopulates, LinuxEpfEpTest::kernelDepopulates))
        .isInstanceOf(LinuxDeviceException.class).hasMessageContaining("map3");
    assertThat(Files.isSymbolicLink(link)).isFalse();
    assertThat(dir).doesNotExist();
    assertThat(Files.readString(configfs.resolve("pci_ep/controllers").resolve(EPC).resolve("start")))
        .isEqualTo("0\n");
  }

  @Test
  void setUpUndoesTheFunctionWhenTheControllerIsMissing() {
    PciEndpointConfigfs cfs = new PciEndpointConfigfs(configfs, board.epSys);
    Path dir = configfs.resolve("pci_ep/functions").resolve(DRIVER).resolve("rpmsg0");
    assertThatThrownBy(() -> LinuxEpfEp.setUp(cfs,
        new LinuxEpfEp.FunctionSetup(DRIVER, "rpmsg0", "nope.pcie-ep", 7), config(),
        LinuxEpfEpTest::kernelPopulates, LinuxEpfEpTest::kernelDepopulates))
        .isInstanceOf(LinuxDeviceException.class).hasMessageContaining("nope.pcie-ep");
    assertThat(dir).doesNotExist();
  }

  @Test
  void functionIdsStayInTheModernVirtioRange() {
    assertThat(new LinuxEpfEp.FunctionSetup(DRIVER, "f", EPC, 7).pciDeviceId()).isEqualTo(0x1047);
    assertThatThrownBy(() -> new LinuxEpfEp.FunctionSetup(DRIVER, "f", EPC, 0x40))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LinuxEpfEp.FunctionSetup(DRIVER, "../x", EPC, 7))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
