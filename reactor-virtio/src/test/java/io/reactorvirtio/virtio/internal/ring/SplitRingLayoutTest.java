package io.reactorvirtio.virtio.internal.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Layout numbers of the split ring: the FACTS §1.2 table, the spec formulas for every legal size,
 * the queue-size rule, and the exact little-endian bytes the flyweights write.
 */
class SplitRingLayoutTest {

  private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

  // ---------------------------------------------------------------------------------------------
  // Golden numbers (FACTS §1.2, A = 4096 legacy, 16-2-4 compact).

  @ParameterizedTest(name = "N = {0}")
  @CsvSource({
    // N, legacy used offset, legacy vring_size, compact used offset, compact total
    "16,   4096,  4230,  296,   430",
    "64,   4096,  4614,  1160,  1678",
    "128,  4096,  5126,  2312,  3342",
    "256,  8192,  10246, 4616,  6670",
    "512,  12288, 16390, 9224,  13326",
    "1024, 20480, 28678, 18440, 26638",
  })
  void goldenTableOfFacts12(int n, long legacyUsed, long legacySize, long compactUsed, long compactTotal) {
    assertThat(SplitRingLayout.legacyUsedOffset(n, 4096)).isEqualTo(legacyUsed);
    assertThat(SplitRingLayout.legacyRingBytes(n, 4096)).isEqualTo(legacySize);
    assertThat(SplitRingLayout.legacyRingBytes(n, SplitRingLayout.LEGACY_ALIGN)).isEqualTo(legacySize);
    assertThat(SplitRingLayout.compactUsedOffset(n)).isEqualTo(compactUsed);
    assertThat(SplitRingLayout.compactRingBytes(n)).isEqualTo(compactTotal);

    QueueGeometry legacy = QueueGeometry.legacy(0x10000, n, 4096);
    assertThat(legacy.size()).isEqualTo(n);
    assertThat(legacy.descAddr()).isEqualTo(0x10000);
    assertThat(legacy.availAddr()).isEqualTo(0x10000 + 16L * n);
    assertThat(legacy.usedAddr()).isEqualTo(0x10000 + legacyUsed);
    QueueGeometry compact = QueueGeometry.compact(0x20000, n);
    assertThat(compact.availAddr()).isEqualTo(0x20000 + 16L * n);
    assertThat(compact.usedAddr()).isEqualTo(0x20000 + compactUsed);
  }

  /** The OpenAMP / remoteproc shape of FACTS §9.1: 256 entries, align 0x1000, desc/avail/used 0x0/0x1000/0x2000. */
  @Example
  void openAmpVringShape() {
    QueueGeometry g = QueueGeometry.legacy(0x4000, 256, 0x1000);
    assertThat(g.availAddr()).isEqualTo(0x5000);
    assertThat(g.usedAddr()).isEqualTo(0x6000);
    // 0x04000–0x06805 inclusive.
    assertThat(0x4000 + SplitRingLayout.legacyRingBytes(256, 0x1000) - 1).isEqualTo(0x6805);
  }

  // ---------------------------------------------------------------------------------------------
  // Spec formulas, computed independently, for every power-of-two size.

  @Property
  void formulasMatchTheSpecForEveryLegalSize(
      @ForAll @IntRange(min = 0, max = 15) int log2Size, @ForAll @IntRange(min = 1, max = 16) int log2Align) {
    int n = 1 << log2Size;
    long a = 1L << log2Align;

    long desc = 16L * n;
    long avail = 2 + 2 + 2L * n + 2; // flags, idx, ring[N], used_event
    long used = 2 + 2 + 8L * n + 2; // flags, idx, ring[N] of {le32 id, le32 len}, avail_event
    long legacyUsed = ceilDiv(desc + avail, a) * a;
    long compactUsed = ceilDiv(desc + avail, 4) * 4;

    assertThat(SplitRingLayout.descTableBytes(n)).isEqualTo(desc);
    assertThat(SplitRingLayout.availRingBytes(n)).isEqualTo(avail);
    assertThat(SplitRingLayout.usedRingBytes(n)).isEqualTo(used);
    assertThat(SplitRingLayout.usedEventOffset(n)).isEqualTo(4 + 2L * n);
    assertThat(SplitRingLayout.availEventOffset(n)).isEqualTo(4 + 8L * n);
    assertThat(SplitRingLayout.legacyUsedOffset(n, (int) a)).isEqualTo(legacyUsed);
    assertThat(SplitRingLayout.legacyRingBytes(n, (int) a)).isEqualTo(legacyUsed + used);
    assertThat(SplitRingLayout.compactUsedOffset(n)).isEqualTo(compactUsed);
    assertThat(SplitRingLayout.compactRingBytes(n)).isEqualTo(compactUsed + used);
    // Linux vring_size uses 2*(3+N) for the avail part.
    assertThat(SplitRingLayout.legacyUsedOffset(n, (int) a)).isEqualTo(ceilDiv(16L * n + 2L * (3 + n), a) * a);
    // The used ring starts at or after the end of the avail ring and is 4-aligned (used ring alignment).
    assertThat(compactUsed).isGreaterThanOrEqualTo(desc + avail).isLessThan(desc + avail + 4);
    assertThat(compactUsed % 4).isZero();
  }

  @Property
  void entryOffsetsMatchTheSpec(@ForAll @IntRange(min = 0, max = 32767) int slot) {
    assertThat(SplitRingLayout.descOffset(slot)).isEqualTo(16L * slot);
    assertThat(SplitRingLayout.availEntryOffset(slot)).isEqualTo(4 + 2L * slot);
    assertThat(SplitRingLayout.usedElemOffset(slot)).isEqualTo(4 + 8L * slot);
  }

  private static long ceilDiv(long x, long a) {
    return (x + a - 1) / a;
  }

  // ---------------------------------------------------------------------------------------------
  // Queue size rule (virtio spec 2.7: power of two, at most 32768).

  @ParameterizedTest
  @ValueSource(ints = {0, 3, 6, 100, 32767, 32769, 65535, 65536, -1, -32768, Integer.MIN_VALUE})
  void checkQueueSizeRejects(int size) {
    assertThat(SplitRingLayout.isValidQueueSize(size)).isFalse();
    assertThatThrownBy(() -> SplitRingLayout.checkQueueSize(size))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(String.valueOf(size));
    assertThatThrownBy(() -> SplitRingLayout.legacyUsedOffset(size, 4096)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SplitRingLayout.compactUsedOffset(size)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4, 256, 16384, 32768})
  void checkQueueSizeAccepts(int size) {
    assertThat(SplitRingLayout.isValidQueueSize(size)).isTrue();
    assertThatCode(() -> SplitRingLayout.checkQueueSize(size)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -4096, 3, 4095, 6000})
  void ringAlignmentMustBeAPowerOfTwo(int align) {
    assertThatThrownBy(() -> SplitRingLayout.legacyUsedOffset(16, align))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(String.valueOf(align));
  }

  // ---------------------------------------------------------------------------------------------
  // Golden bytes: what the flyweights put in memory, little-endian, at the right offsets.

  @Example
  void descriptorBytes() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = arena.allocate(3 * 16, 4096);
      DescriptorTable t = new DescriptorTable(seg);
      assertThat(t.entries()).isEqualTo(3);
      t.set(1, 0x1122_3344_5566_7788L, 0xAABB_CCDD, SplitRingLayout.DESC_F_NEXT | SplitRingLayout.DESC_F_WRITE, 0x1234);

      assertThat(HEX.formatHex(seg.toArray(ValueLayout.JAVA_BYTE))).isEqualTo(
          "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
              + "88 77 66 55 44 33 22 11 dd cc bb aa 03 00 34 12 "
              + "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
      assertThat(t.addr(1)).isEqualTo(0x1122_3344_5566_7788L);
      assertThat(t.len(1)).isEqualTo(0xAABB_CCDDL); // unsigned
      assertThat(t.flags(1)).isEqualTo(3);
      assertThat(t.next(1)).isEqualTo(0x1234);

      t.set(2, -1L, -1, 0xFFFF, 0xFFFF);
      assertThat(t.len(2)).isEqualTo(0xFFFF_FFFFL);
      assertThat(t.flags(2)).isEqualTo(0xFFFF);
      assertThat(t.next(2)).isEqualTo(0xFFFF);
    }
  }

  @Example
  void availRingBytes() {
    try (Arena arena = Arena.ofConfined()) {
      int n = 4;
      MemorySegment seg = arena.allocate(SplitRingLayout.availRingBytes(n), 4096);
      AvailRing a = new AvailRing(seg, n);
      a.setFlags(SplitRingLayout.AVAIL_F_NO_INTERRUPT);
      a.publishIdx(0x0102);
      a.setEntry(2, 0x0304);
      a.setUsedEvent(0xBEEF);

      assertThat(HEX.formatHex(seg.toArray(ValueLayout.JAVA_BYTE)))
          .isEqualTo("01 00 02 01 00 00 00 00 04 03 00 00 ef be");
      assertThat(a.flags()).isEqualTo(1);
      assertThat(a.idxAcquire()).isEqualTo(0x0102);
      assertThat(a.entry(2)).isEqualTo(0x0304);
      assertThat(a.usedEvent()).isEqualTo(0xBEEF); // unsigned
      a.publishIdx(0xFFFF);
      assertThat(a.idxAcquire()).isEqualTo(0xFFFF);
    }
  }

  @Example
  void usedRingBytes() {
    try (Arena arena = Arena.ofConfined()) {
      int n = 2;
      MemorySegment seg = arena.allocate(SplitRingLayout.usedRingBytes(n), 4096);
      UsedRing u = new UsedRing(seg, n);
      u.setFlags(SplitRingLayout.USED_F_NO_NOTIFY);
      u.publishIdx(0xFFFE);
      u.setElem(1, 0x0102_0304, 0xA0B0_C0D0);
      u.setAvailEvent(0x1234);

      assertThat(HEX.formatHex(seg.toArray(ValueLayout.JAVA_BYTE)))
          .isEqualTo("01 00 fe ff 00 00 00 00 00 00 00 00 04 03 02 01 d0 c0 b0 a0 34 12");
      assertThat(u.flags()).isEqualTo(1);
      assertThat(u.idxAcquire()).isEqualTo(0xFFFE);
      assertThat(u.elemId(1)).isEqualTo(0x0102_0304L);
      assertThat(u.elemLen(1)).isEqualTo(0xA0B0_C0D0L); // unsigned
      assertThat(u.elemId(0)).isZero();
      assertThat(u.availEvent()).isEqualTo(0x1234);
    }
  }
}
