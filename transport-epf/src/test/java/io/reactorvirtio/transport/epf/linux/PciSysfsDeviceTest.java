package io.reactorvirtio.transport.epf.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.virtio.memory.SharedRegion;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PciSysfsDevice} against a fake {@code /sys/bus/pci/devices/<addr>/} in the real formats. */
class PciSysfsDeviceTest {

  static final String ADDR = "0000:01:00.0";

  @TempDir Path sys;
  Path dev;

  @BeforeEach
  void fakeDevice() throws IOException {
    dev = Files.createDirectories(sys.resolve("bus/pci/devices").resolve(ADDR));
    Files.writeString(dev.resolve("vendor"), "0x1af4\n");
    Files.writeString(dev.resolve("device"), "0x1053\n");
    // As pci-sysfs prints it: "0x%016llx 0x%016llx 0x%016llx\n" per resource.
    Files.writeString(dev.resolve("resource"),
        "0x00000000fe000000 0x00000000fe000fff 0x0000000000040200\n" // BAR0 4 KiB mem
            + "0x0000000000000000 0x0000000000000000 0x0000000000000000\n" // BAR1 unused
            + "0x0000000800000000 0x00000008000fffff 0x000000000014220c\n" // BAR2 1 MiB 64-bit pref
            + "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
            + "0x000000000000e000 0x000000000000e01f 0x0000000000040101\n" // BAR4 I/O ports
            + "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
            + "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"); // ROM
    Files.write(dev.resolve("resource0"), new byte[4096]);
    Files.write(dev.resolve("resource2"), new byte[1 << 20]);
    Files.write(dev.resolve("resource2_wc"), new byte[1 << 20]);
    Files.writeString(dev.resolve("resource4"), "");
    byte[] config = new byte[256];
    config[4] = 0x00;
    config[5] = 0x04; // INTx disable set, memory and bus master clear
    Files.write(dev.resolve("config"), config);
  }

  @Test
  void parsesIdsAndResources() {
    PciSysfsDevice d = PciSysfsDevice.open(sys, ADDR);
    assertThat(d.vendorId()).isEqualTo(0x1af4);
    assertThat(d.deviceId()).isEqualTo(0x1053);
    assertThat(d.resources()).hasSize(7);
    PciResource bar0 = d.bar(0);
    assertThat(bar0.length()).isEqualTo(4096);
    assertThat(bar0.isMemory()).isTrue();
    assertThat(bar0.is64Bit()).isFalse();
    assertThat(bar0.isPrefetchable()).isFalse();
    PciResource bar2 = d.bar(2);
    assertThat(bar2.start()).isEqualTo(0x8_0000_0000L);
    assertThat(bar2.length()).isEqualTo(1 << 20);
    assertThat(bar2.is64Bit()).isTrue();
    assertThat(bar2.isPrefetchable()).isTrue();
    assertThat(d.bar(4).isIo()).isTrue();
    assertThat(d.resources().get(1).present()).isFalse();
    assertThat(d.resources().get(1).length()).isZero();
    assertThat(d.hasResourceFile(0)).isTrue();
    assertThat(d.hasResourceFile(1)).isFalse();
    assertThat(d.hasWriteCombiningFile(0)).isFalse();
    assertThat(d.hasWriteCombiningFile(2)).isTrue();
  }

  @Test
  void mapsMemoryBarsWithTheFileSizeAsLength() throws IOException {
    PciSysfsDevice d = PciSysfsDevice.open(sys, ADDR);
    try (SharedRegion bar0 = d.mapBar(0)) {
      assertThat(bar0.size()).isEqualTo(4096);
      bar0.segment().set(ValueLayout.JAVA_INT_UNALIGNED, 16, 0xCAFEBABE);
    }
    byte[] back = Files.readAllBytes(dev.resolve("resource0"));
    assertThat(back[16] & 0xFF).isEqualTo(0xBE);
    try (SharedRegion wc = d.mapBar(2, true)) {
      assertThat(wc.size()).isEqualTo(1 << 20);
      assertThat(wc.path()).isEqualTo(dev.resolve("resource2_wc"));
    }
  }

  @Test
  void commandRegisterReadModifyWrite() throws IOException {
    PciSysfsDevice d = PciSysfsDevice.open(sys, ADDR);
    assertThat(d.command()).isEqualTo(0x0400);
    assertThat(d.enableMemoryAndBusMaster()).isEqualTo(0x0406);
    byte[] config = Files.readAllBytes(dev.resolve("config"));
    assertThat(config).hasSize(256);
    assertThat(config[4]).isEqualTo((byte) 0x06);
    assertThat(config[5]).isEqualTo((byte) 0x04);
    assertThat(config[3]).isZero();
    assertThat(config[6]).isZero();
    assertThat(d.updateCommand(0, PciSysfsDevice.COMMAND_INTX_DISABLE)).isEqualTo(0x0006);
  }

  @Test
  void clearErrors() throws IOException {
    assertThatThrownBy(() -> PciSysfsDevice.open(sys, "0000:02:00.0"))
        .isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("no PCI device 0000:02:00.0");
    assertThatThrownBy(() -> PciSysfsDevice.open(sys, "1:0.0"))
        .isInstanceOf(IllegalArgumentException.class);
    PciSysfsDevice d = PciSysfsDevice.open(sys, ADDR);
    assertThatThrownBy(() -> d.mapBar(1)).isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("has no BAR1");
    assertThatThrownBy(() -> d.mapBar(4)).isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("I/O-port BAR");
    assertThatThrownBy(() -> d.mapBar(0, true)).isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("resource0_wc does not exist");
    assertThatThrownBy(() -> d.mapBar(6)).isInstanceOf(IllegalArgumentException.class);
    Files.delete(dev.resolve("resource0"));
    assertThatThrownBy(() -> d.mapBar(0)).isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("resource0 does not exist");
    Files.writeString(dev.resolve("vendor"), "garbage\n");
    assertThatThrownBy(d::vendorId).isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("expected a hex number").hasMessageContaining("garbage");
    Files.writeString(dev.resolve("resource"), "0x1 0x2\n");
    assertThatThrownBy(d::resources).isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("line 1");
    Files.write(dev.resolve("config"), new byte[5]);
    assertThatThrownBy(d::command).isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("ends before the Command register");
  }

  @Test
  void driverAndIommuGroupLinks() throws IOException {
    PciSysfsDevice d = PciSysfsDevice.open(sys, ADDR);
    assertThat(d.driver()).isEmpty();
    assertThat(d.iommuGroup()).isEmpty();
    Path drv = Files.createDirectories(sys.resolve("bus/pci/drivers/uio_pci_generic"));
    Path grp = Files.createDirectories(sys.resolve("kernel/iommu_groups/12"));
    Files.createSymbolicLink(dev.resolve("driver"), drv);
    Files.createSymbolicLink(dev.resolve("iommu_group"), grp);
    assertThat(d.driver()).contains("uio_pci_generic");
    assertThat(d.iommuGroup()).contains(12);
  }
}
