package io.reactorvirtio.transport.epf.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.virtio.internal.nativeio.Mmap;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link UioDevice} discovery and mapping against a fake {@code /sys/class/uio} (the kernel's
 * formats: {@code addr}/{@code size} as {@code %pa}, {@code offset} as {@code 0x%llx}) and a
 * plain file standing in for {@code /dev/uio0} (raw mmap works on both).
 */
class UioDeviceTest {

  @TempDir Path root;
  Path sys;
  Path dev;
  long page;

  @BeforeEach
  void fakeTree() throws IOException {
    page = Mmap.pageSize();
    sys = root.resolve("sys");
    dev = Files.createDirectories(root.resolve("dev"));
    Path u0 = Files.createDirectories(sys.resolve("class/uio/uio0"));
    Files.writeString(u0.resolve("name"), "uio_pdrv_genirq\n");
    Path u1 = Files.createDirectories(sys.resolve("class/uio/uio1"));
    Files.writeString(u1.resolve("name"), "uio_pci_generic\n");
    fakeMap(u1, 0, "BAR0", 0xfe000000L, 0x1000, 0);
    fakeMap(u1, 1, null, 0xfe101100L, 0x200, 0x100);
    Files.createDirectories(sys.resolve("class/uio/uio10"));
    Files.write(dev.resolve("uio1"), new byte[(int) (3 * page)]);
    Files.write(dev.resolve("uio0"), new byte[0]);
  }

  static void fakeMap(Path uio, int n, String name, long addr, long size, long offset)
      throws IOException {
    Path m = Files.createDirectories(uio.resolve("maps/map" + n));
    if (name != null) {
      Files.writeString(m.resolve("name"), name + "\n");
    }
    Files.writeString(m.resolve("addr"), String.format("0x%016x\n", addr));
    Files.writeString(m.resolve("size"), String.format("0x%016x\n", size));
    Files.writeString(m.resolve("offset"), String.format("0x%x\n", offset));
  }

  @Test
  void discoversDevicesAndMaps() {
    assertThat(UioDevice.list(sys)).containsExactly("uio0", "uio1", "uio10");
    UioDevice u = UioDevice.find(sys, dev, "uio_pci_generic").orElseThrow();
    assertThat(u.uioName()).isEqualTo("uio1");
    assertThat(u.driverName()).isEqualTo("uio_pci_generic");
    assertThat(u.deviceFile()).isEqualTo(dev.resolve("uio1"));
    assertThat(u.pciConfigFile()).isEqualTo(sys.resolve("class/uio/uio1/device/config"));
    assertThat(u.maps()).hasSize(2);
    UioMap m0 = u.map(0);
    assertThat(m0.name()).contains("BAR0");
    assertThat(m0.address()).isEqualTo(0xfe000000L);
    assertThat(m0.size()).isEqualTo(0x1000);
    UioMap m1 = u.map(1);
    assertThat(m1.name()).isEmpty();
    assertThat(m1.offset()).isEqualTo(0x100);
    assertThat(m1.mappingLength(4096)).isEqualTo(4096);
    assertThat(new UioMap(0, java.util.Optional.empty(), 0, 4096, 0x100).mappingLength(4096))
        .isEqualTo(8192);
    assertThat(UioDevice.find(sys, dev, "vfio")).isEmpty();
  }

  @Test
  void mapRegionSelectsByPageOffsetAndAddsTheMapOffset() throws IOException {
    UioDevice u = UioDevice.open(sys, dev, "uio1");
    byte[] content = Files.readAllBytes(dev.resolve("uio1"));
    content[(int) page + 0x100] = 0x5A; // map1 starts 0x100 into the second page
    content[0] = 0x11;
    Files.write(dev.resolve("uio1"), content);
    try (UioMapping m1 = u.mapRegion(1); UioMapping m0 = u.mapRegion(0)) {
      assertThat(m1.segment().byteSize()).isEqualTo(0x200);
      assertThat(m1.segment().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 0x5A);
      assertThat(m1.region().size()).isEqualTo(page);
      assertThat(m0.segment().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 0x11);
      m1.segment().set(ValueLayout.JAVA_BYTE, 1, (byte) 0x77);
    }
    assertThat(Files.readAllBytes(dev.resolve("uio1"))[(int) page + 0x101]).isEqualTo((byte) 0x77);
  }

  @Test
  void clearErrors() throws IOException {
    assertThatThrownBy(() -> UioDevice.open(sys, dev, "uio7"))
        .isInstanceOf(LinuxDeviceException.class).hasMessageContaining("no UIO device uio7")
        .hasMessageContaining("uio_pci_generic/new_id");
    assertThatThrownBy(() -> UioDevice.open(sys, dev, "uio10"))
        .isInstanceOf(LinuxDeviceException.class).hasMessageContaining("has no device file");
    assertThatThrownBy(() -> UioDevice.open(sys, dev, "../uio1"))
        .isInstanceOf(IllegalArgumentException.class);
    UioDevice u = UioDevice.open(sys, dev, "uio1");
    assertThatThrownBy(() -> u.mapRegion(2)).isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("has no map2").hasMessageContaining("not BAR");
    Files.writeString(sys.resolve("class/uio/uio1/maps/map1/size"), "lots\n");
    assertThatThrownBy(() -> u.map(1)).isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("map1 size").hasMessageContaining("lots");
    Files.delete(dev.resolve("uio1"));
    assertThatThrownBy(() -> u.mapRegion(0)).isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("cannot mmap UIO uio1 map0");
  }
}
