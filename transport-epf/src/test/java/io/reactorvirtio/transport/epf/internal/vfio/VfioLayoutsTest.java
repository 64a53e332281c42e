package io.reactorvirtio.transport.epf.internal.vfio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Golden bytes of the VFIO argument structs, as a little-endian kernel (x86_64, arm64) reads and
 * writes them, and the ioctl numbers of FACTS §5.3.
 */
class VfioLayoutsTest {

  static final HexFormat HEX = HexFormat.of();

  @BeforeAll
  static void littleEndianHost() {
    assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "golden bytes are little-endian");
  }

  static MemorySegment seg(Arena a, int size) {
    MemorySegment s = a.allocate(size, 8);
    s.fill((byte) 0xEE); // init must overwrite garbage
    return s;
  }

  static String hex(MemorySegment s, int size) {
    return HEX.formatHex(s.asSlice(0, size).toArray(ValueLayout.JAVA_BYTE));
  }

  static void put(MemorySegment s, String hex) {
    byte[] b = HEX.parseHex(hex);
    MemorySegment.copy(MemorySegment.ofArray(b), 0, s, 0, b.length);
  }

  @Test
  void ioctlNumbers() {
    assertThat(VfioIoctl.GET_API_VERSION).isEqualTo(0x3B64).isEqualTo(VfioIoctl.request(0));
    assertThat(VfioIoctl.CHECK_EXTENSION).isEqualTo(VfioIoctl.request(1));
    assertThat(VfioIoctl.SET_IOMMU).isEqualTo(0x3B66);
    assertThat(VfioIoctl.GROUP_GET_STATUS).isEqualTo(0x3B67);
    assertThat(VfioIoctl.GROUP_SET_CONTAINER).isEqualTo(0x3B68);
    assertThat(VfioIoctl.GROUP_UNSET_CONTAINER).isEqualTo(0x3B69);
    assertThat(VfioIoctl.GROUP_GET_DEVICE_FD).isEqualTo(0x3B6A);
    assertThat(VfioIoctl.DEVICE_GET_INFO).isEqualTo(0x3B6B);
    assertThat(VfioIoctl.DEVICE_GET_REGION_INFO).isEqualTo(0x3B6C);
    assertThat(VfioIoctl.DEVICE_GET_IRQ_INFO).isEqualTo(0x3B6D);
    assertThat(VfioIoctl.DEVICE_SET_IRQS).isEqualTo(0x3B6E);
    assertThat(VfioIoctl.DEVICE_RESET).isEqualTo(0x3B6F);
    assertThat(VfioIoctl.IOMMU_GET_INFO).isEqualTo(0x3B70);
    assertThat(VfioIoctl.IOMMU_MAP_DMA).isEqualTo(0x3B71);
    assertThat(VfioIoctl.IOMMU_UNMAP_DMA).isEqualTo(0x3B72).isEqualTo(VfioIoctl.request(14));
  }

  @Test
  void groupStatus() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment s = seg(a, 8);
      VfioGroupStatusLayout.init(s);
      assertThat(hex(s, 8)).isEqualTo("08000000" + "00000000");
      put(s, "08000000" + "03000000");
      assertThat(VfioGroupStatusLayout.flags(s))
          .isEqualTo(VfioGroupStatusLayout.FLAG_VIABLE | VfioGroupStatusLayout.FLAG_CONTAINER_SET);
    }
  }

  @Test
  void deviceInfo() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment s = seg(a, 24);
      VfioDeviceInfoLayout.init(s);
      assertThat(hex(s, 20)).isEqualTo("14000000" + "00000000".repeat(4));
      // what vfio-pci answers: RESET|PCI, 9 regions, 5 irqs, no caps
      put(s, "14000000" + "03000000" + "09000000" + "05000000" + "00000000");
      assertThat(VfioDeviceInfoLayout.flags(s)).isEqualTo(3);
      assertThat(VfioDeviceInfoLayout.numRegions(s)).isEqualTo(9);
      assertThat(VfioDeviceInfoLayout.numIrqs(s)).isEqualTo(5);
      assertThat(VfioDeviceInfoLayout.capOffset(s)).isZero();
    }
  }

  @Test
  void regionInfo() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment s = seg(a, 32);
      VfioRegionInfoLayout.init(s, 2);
      assertThat(hex(s, 32)).isEqualTo("20000000" + "00000000" + "02000000" + "00000000"
          + "0000000000000000" + "0000000000000000");
      // BAR2: READ|WRITE|MMAP, 1 MiB at device-fd offset 2 << 40
      put(s, "20000000" + "07000000" + "02000000" + "00000000"
          + "0000100000000000" + "0000000000020000");
      assertThat(VfioRegionInfoLayout.flags(s)).isEqualTo(7);
      assertThat(VfioRegionInfoLayout.index(s)).isEqualTo(2);
      assertThat(VfioRegionInfoLayout.size(s)).isEqualTo(1 << 20);
      assertThat(VfioRegionInfoLayout.offset(s)).isEqualTo(2L << 40);
    }
  }

  @Test
  void irqInfo() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment s = seg(a, 16);
      VfioIrqInfoLayout.init(s, VfioIoctl.PCI_MSIX_IRQ_INDEX);
      assertThat(hex(s, 16)).isEqualTo("10000000" + "00000000" + "02000000" + "00000000");
      put(s, "10000000" + "09000000" + "02000000" + "40000000");
      assertThat(VfioIrqInfoLayout.flags(s))
          .isEqualTo(VfioIrqInfoLayout.FLAG_EVENTFD | VfioIrqInfoLayout.FLAG_NORESIZE);
      assertThat(VfioIrqInfoLayout.count(s)).isEqualTo(64);
    }
  }

  @Test
  void irqSetWithEventFds() {
    try (Arena a = Arena.ofConfined()) {
      assertThat(VfioIrqSetLayout.size(0)).isEqualTo(20);
      assertThat(VfioIrqSetLayout.size(3)).isEqualTo(32);
      MemorySegment s = seg(a, 32);
      VfioIrqSetLayout.encodeEventFds(s, VfioIoctl.PCI_MSIX_IRQ_INDEX, 0, new int[] {7, -1, 300});
      assertThat(hex(s, 32)).isEqualTo("20000000" // argsz 32 = 20 + 4*3
          + "24000000" // DATA_EVENTFD | ACTION_TRIGGER
          + "02000000" // MSI-X
          + "00000000" // start
          + "03000000" // count
          + "07000000" + "ffffffff" + "2c010000");
      assertThat(VfioIrqSetLayout.argsz(s)).isEqualTo(32);
      assertThat(VfioIrqSetLayout.eventFd(s, 1)).isEqualTo(-1);
      assertThat(VfioIrqSetLayout.eventFd(s, 2)).isEqualTo(300);

      MemorySegment d = seg(a, 20);
      VfioIrqSetLayout.encodeDisable(d, VfioIoctl.PCI_MSIX_IRQ_INDEX);
      assertThat(hex(d, 20)).isEqualTo("14000000" + "21000000" + "02000000" + "00000000" + "00000000");
      assertThatThrownBy(() -> VfioIrqSetLayout.encodeEventFds(d, 2, 0, new int[] {1}))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 24 bytes");
    }
  }

  @Test
  void dmaMap() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment s = seg(a, 32);
      VfioDmaMapLayout.encode(s, VfioDmaMapLayout.FLAG_READ | VfioDmaMapLayout.FLAG_WRITE,
          0x7f12_3456_7000L, 0x1000_0000L, 0x20_0000L, 4096);
      assertThat(hex(s, 32)).isEqualTo("20000000" + "03000000"
          + "00705634127f0000" + "0000001000000000" + "0000200000000000");
      assertThat(VfioDmaMapLayout.vaddr(s)).isEqualTo(0x7f12_3456_7000L);
      assertThat(VfioDmaMapLayout.iova(s)).isEqualTo(0x1000_0000L);
      assertThat(VfioDmaMapLayout.size(s)).isEqualTo(0x20_0000L);
      assertThatThrownBy(() -> VfioDmaMapLayout.encode(s, 3, 0x1001, 0, 4096, 4096))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("page-aligned");
    }
  }
}
