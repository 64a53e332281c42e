package io.reactorvirtio.transport.openamp;

import static io.reactorvirtio.transport.openamp.OpenAmpLayout.*;
import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U32_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The resource-table parser against OpenAMP's own bytes, and against impossible tables. */
class ResourceTableTest {

  private static MemorySegment golden() {
    return MemorySegment.ofArray(Golden.bytes());
  }

  private static MemorySegment fresh() {
    MemorySegment f = Arena.ofAuto().allocate(FILE_SIZE, 8);
    writeTable(f, VIRTIO_ID_RPMSG, VIRTIO_RPMSG_F_NS);
    return f;
  }

  @Test
  void parsesTheGoldenTableAsItsReadmeDecodesIt() {
    ResourceTable t = ResourceTable.parse(golden(), 7);
    assertThat(t.version()).isEqualTo(1);
    assertThat(t.entries()).isEqualTo(1);
    assertThat(t.vdevOffset()).isEqualTo(0x14);
    assertThat(t.vdevId()).isEqualTo(7);
    assertThat(t.notifyId()).isZero();
    assertThat(t.dfeatures()).isEqualTo(1);
    assertThat(t.gfeatures()).isEqualTo(1);
    assertThat(t.configLen()).isZero();
    assertThat(t.status()).isEqualTo(4);
    assertThat(t.vrings()).containsExactly(
        new ResourceTable.Vring(0, 0x4000, 0x1000, 256, 1),
        new ResourceTable.Vring(1, 0x8000, 0x1000, 256, 2));
  }

  @Test
  void theTableWeWriteIsTheGoldenOneBeforeTheDriverWritesFeaturesAndStatus() {
    MemorySegment ours = fresh();
    MemorySegment gold = golden();
    assertThat(TABLE_SIZE).isEqualTo(88);
    for (long off = 0; off < TABLE_SIZE; off += 4) {
      int expected = gold.get(U32_UNALIGNED, off);
      if (off == VDEV_ENTRY_OFFSET + VDEV_GFEATURES) {
        expected = 0; // the driver's accepted set, 1 in the golden file
      } else if (off == VDEV_ENTRY_OFFSET + VDEV_STATUS) {
        expected &= ~0xFF; // status byte: 4 (DRIVER_OK) in the golden file; num_of_vrings stays
      }
      assertThat(ours.get(U32_UNALIGNED, off)).as("u32 at 0x%x", off).isEqualTo(expected);
    }
  }

  private static void assertRejected(Consumer<MemorySegment> damage, int vdevId, String field, long value) {
    MemorySegment f = fresh();
    damage.accept(f);
    assertThatThrownBy(() -> ResourceTable.parse(f, vdevId))
        .isInstanceOfSatisfying(ResourceTableException.class, e -> {
          assertThat(e.field()).isEqualTo(field);
          assertThat(e.value()).isEqualTo(value);
        })
        .hasMessageContaining(field);
  }

  @Test
  void rejectsVersion2() {
    assertRejected(f -> f.set(U32_UNALIGNED, VERSION_OFFSET, 2), 7, "ver", 2);
  }

  @Test
  void rejectsZeroEntries() {
    assertRejected(f -> f.set(U32_UNALIGNED, NUM_OFFSET, 0), 7, "num", 0);
  }

  @Test
  void rejectsAnEntryOffsetOutsideTheFile() {
    assertRejected(f -> f.set(U32_UNALIGNED, ENTRY_OFFSETS_OFFSET, 0x90000), 7, "offset[0]", 0x90000);
    assertRejected(f -> f.set(U32_UNALIGNED, ENTRY_OFFSETS_OFFSET, 0xFFFF_FFFF), 7, "offset[0]", 0xFFFF_FFFFL);
    assertRejected(f -> f.set(U32_UNALIGNED, ENTRY_OFFSETS_OFFSET, 4), 7, "offset[0]", 4); // inside the header
  }

  @Test
  void rejectsAWrongDeviceIdUnlessAsked() {
    assertRejected(f -> { }, 3, "vdev.id", 7);
    MemorySegment f = fresh();
    f.set(U32_UNALIGNED, VDEV_ENTRY_OFFSET + VDEV_ID, 3);
    assertThat(ResourceTable.parse(f, 3).vdevId()).isEqualTo(3);
  }

  @Test
  void rejectsFewerThanTwoVrings() {
    assertRejected(f -> f.set(ValueLayout.JAVA_BYTE, VDEV_ENTRY_OFFSET + VDEV_NUM_VRINGS, (byte) 1),
        7, "vdev.num_of_vrings", 1);
  }

  @Test
  void rejectsANumThatIsNotAPowerOfTwoOrTooBig() {
    long e1 = vringEntry(VDEV_ENTRY_OFFSET, 1);
    assertRejected(f -> f.set(U32_UNALIGNED, e1 + VRING_NUM, 255), 7, "vring[1].num", 255);
    assertRejected(f -> f.set(U32_UNALIGNED, e1 + VRING_NUM, 65536), 7, "vring[1].num", 65536);
    assertRejected(f -> f.set(U32_UNALIGNED, e1 + VRING_NUM, 0), 7, "vring[1].num", 0);
  }

  @Test
  void rejectsAVringOutsideTheFileMisalignedOrOverlapping() {
    long e0 = vringEntry(VDEV_ENTRY_OFFSET, 0);
    long e1 = vringEntry(VDEV_ENTRY_OFFSET, 1);
    assertRejected(f -> f.set(U32_UNALIGNED, e1 + VRING_DA, 0x7F000), 7, "vring[1].da", 0x7F000);
    assertRejected(f -> f.set(U32_UNALIGNED, e1 + VRING_DA, 0xFFFF_F000), 7, "vring[1].da", 0xFFFF_F000L);
    assertRejected(f -> f.set(U32_UNALIGNED, e1 + VRING_DA, 0x8010), 7, "vring[1].da", 0x8010);
    assertRejected(f -> f.set(U32_UNALIGNED, e1 + VRING_DA, 0x5000), 7, "vring[1].da", 0x5000);
    assertRejected(f -> f.set(U32_UNALIGNED, e0 + VRING_DA, 0), 7, "vring[0].da", 0);
    assertRejected(f -> f.set(U32_UNALIGNED, e0 + VRING_ALIGN, 3), 7, "vring[0].align", 3);
    assertRejected(f -> f.set(U32_UNALIGNED, e0 + VRING_DA, (int) ADDR_ANY), 7, "vring[0].da", ADDR_ANY);
  }

  @Test
  void rejectsAConfigLenPastTheFile() {
    assertRejected(f -> f.set(U32_UNALIGNED, VDEV_ENTRY_OFFSET + VDEV_CONFIG_LEN, 0x100000), 7, "vdev.config_len", 0x100000);
  }

  @Test
  void rejectsAFileTooSmallForTheHeader() {
    assertThatThrownBy(() -> ResourceTable.parse(MemorySegment.ofArray(new byte[8]), 7))
        .isInstanceOf(ResourceTableException.class).hasMessageContaining("file size");
  }
}
