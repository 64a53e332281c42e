package io.reactorvirtio.vhost.internal.vringh;

import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_F_INDIRECT;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_F_NEXT;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_F_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.virtio.RingViolation;
import io.reactorvirtio.virtio.RingViolationException;
import io.reactorvirtio.virtio.internal.ring.DescriptorTable;
import io.reactorvirtio.virtio.internal.ring.QueueGeometry;
import io.reactorvirtio.virtio.internal.ring.SplitRingLayout;
import io.reactorvirtio.virtio.memory.Window;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The device side on hostile ring memory (FACTS §1.1): every malformed ring the driver can write is
 * refused with the right {@link RingViolation}, naming the field and the value, latched, and without
 * a single access outside the window.
 *
 * <p>The window is a slice in the middle of a bigger native segment whose other bytes hold a canary;
 * any read outside the slice would throw (the slice is bounds-checked) and any write would show in
 * the canary, checked after every test.
 */
class VringhMalformedRingTest {

  static final int SIZE = 8;
  static final long BUS = 0x1000_0000L;
  static final long WINDOW_BYTES = 0x4000;
  static final long PAD = 0x2000;
  static final byte CANARY = (byte) 0xA5;

  /** Where the indirect tables go (bus), 16-aligned, inside the window. */
  static final long TABLES = BUS + 0x800;
  /** Data buffers: buffer i at DATA + 0x100·i. */
  static final long DATA = BUS + 0x1000;

  Arena arena;
  MemorySegment whole;
  MemorySegment slice;
  Window window;
  QueueGeometry geometry;
  QueueGeometry.Resolved rings; // the driver's view, used to write the bad bytes
  int availIdx;

  @BeforeEach
  void setUp() {
    arena = Arena.ofConfined();
    whole = arena.allocate(PAD + WINDOW_BYTES + PAD, 4096);
    whole.fill(CANARY);
    slice = whole.asSlice(PAD, WINDOW_BYTES);
    slice.fill((byte) 0);
    window = Window.of(slice, BUS);
    geometry = QueueGeometry.compact(BUS, SIZE);
    rings = geometry.resolve("driver-view", window);
    availIdx = 0;
  }

  @AfterEach
  void canaryUntouchedAndClose() {
    try {
      for (long i = 0; i < whole.byteSize(); i++) {
        if (i == PAD) {
          i = PAD + WINDOW_BYTES;
        }
        assertThat(whole.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i)).as("canary at %d", i).isEqualTo(CANARY);
      }
    } finally {
      arena.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers.

  Vringh device(boolean indirect) {
    return Vringh.attach("rx", geometry, window, false, indirect);
  }

  static long buf(int i) {
    return DATA + 0x100L * i;
  }

  void desc(int i, long addr, int len, int flags, int next) {
    rings.desc().set(i, addr, len, flags, next);
  }

  /** An indirect table at bus address {@code at}, written through the same flyweight. */
  DescriptorTable table(long at, int entries) {
    return new DescriptorTable(window.slice(at, 16L * entries));
  }

  /** Makes {@code heads} available and publishes avail.idx. */
  void makeAvailable(int... heads) {
    for (int h : heads) {
      rings.avail().setEntry(availIdx & (SIZE - 1), h);
      availIdx = (availIdx + 1) & 0xFFFF;
    }
    rings.avail().publishIdx(availIdx);
  }

  /**
   * {@code result} is BROKEN with the expected violation, field and value; the message says so; and
   * the queue stays broken with the same (first) violation.
   */
  static void assertLatched(Vringh v, int result, RingViolation expected, String field, long value) {
    assertThat(result).as("getAvail outcome").isEqualTo(Vringh.BROKEN);
    assertThat(v.isBroken()).isTrue();
    RingViolationException e = v.violation();
    assertThat(e.violation()).isEqualTo(expected);
    assertThat(e.field()).isEqualTo(field);
    assertThat(e.value()).isEqualTo(value);
    assertThat(e.getMessage())
        .contains("'rx'")
        .contains(expected.description())
        .contains(field + " = " + value);
    if (value > 9 || value < 0) {
      assertThat(e.getMessage()).contains("0x" + Long.toHexString(value));
    }
    // Latched: later calls do not walk again and keep the first violation.
    Chain again = v.newChain();
    assertThat(v.getAvail(again)).isEqualTo(Vringh.BROKEN);
    assertThat(v.getAvail(again)).isEqualTo(Vringh.BROKEN);
    assertThat(again.head()).isEqualTo(-1);
    assertThat(v.violation().violation()).isEqualTo(expected);
    assertThat(v.violation().field()).isEqualTo(field);
  }

  int take(Vringh v) {
    return v.getAvail(v.newChain());
  }

  // ---------------------------------------------------------------------------------------------
  // Sanity: the rig accepts a well-formed ring (so the failures below are the malformation's).

  @Test
  void wellFormedChainsAreAccepted() {
    Vringh v = device(true);
    desc(2, buf(0), 16, DESC_F_NEXT, 5);
    desc(5, buf(1), 32, DESC_F_WRITE, 0);
    DescriptorTable t = table(TABLES, 2);
    t.set(0, buf(2), 8, DESC_F_NEXT, 1);
    t.set(1, buf(3), 8, DESC_F_WRITE, 0);
    desc(6, TABLES, 32, DESC_F_INDIRECT | DESC_F_WRITE, 0); // WRITE on the table pointer is ignored
    makeAvailable(2, 6);

    Chain c = v.newChain();
    assertThat(v.getAvail(c)).isEqualTo(Vringh.GOT_CHAIN);
    assertThat(c.head()).isEqualTo(2);
    assertThat(c.readableCount()).isEqualTo(1);
    assertThat(c.readableOffset(0)).isEqualTo(buf(0) - BUS);
    assertThat(c.writableCount()).isEqualTo(1);
    assertThat(c.writableOffset(0)).isEqualTo(buf(1) - BUS);
    assertThat(c.writableLength(0)).isEqualTo(32);
    Chain d = v.newChain();
    assertThat(v.getAvail(d)).isEqualTo(Vringh.GOT_CHAIN);
    assertThat(d.head()).isEqualTo(6);
    assertThat(d.readableOffset(0)).isEqualTo(buf(2) - BUS);
    assertThat(d.writableOffset(0)).isEqualTo(buf(3) - BUS);
    assertThat(v.getAvail(v.newChain())).isEqualTo(Vringh.EMPTY);
    assertThat(v.isBroken()).isFalse();
  }

  /** A direct chain is at most SIZE descriptors without looping: exactly SIZE is legal. */
  @Test
  void directChainOfExactlyQueueSizeIsAccepted() {
    Vringh v = device(false);
    for (int i = 0; i < SIZE; i++) {
      desc(i, buf(i), 16, i + 1 < SIZE ? DESC_F_NEXT : 0, (i + 1) % SIZE);
    }
    makeAvailable(0);
    Chain c = v.newChain();
    assertThat(v.getAvail(c)).isEqualTo(Vringh.GOT_CHAIN);
    assertThat(c.readableCount()).isEqualTo(SIZE);
  }

  /** ...and a SIZE+1-th descriptor can only be a revisit: it is reported as the loop it is. */
  @Test
  void directChainCannotExceedQueueSizeWithoutLooping() {
    Vringh v = device(false);
    for (int i = 0; i < SIZE; i++) {
      desc(i, buf(i), 16, DESC_F_NEXT, (i + 1) % SIZE); // the last one points back at 0
    }
    makeAvailable(0);
    assertLatched(v, take(v), RingViolation.DESCRIPTOR_LOOP, "desc[0] revisited, chain head", 0);
  }

  /**
   * An indirect table of exactly the queue size (the longest chain the spec allows) is legal, as is
   * a direct prefix plus an indirect table adding up to the queue size.
   */
  @Test
  void indirectTableOfExactlyQueueSizeIsAccepted() {
    Vringh v = device(true);
    DescriptorTable t = table(TABLES, SIZE);
    for (int i = 0; i < SIZE; i++) {
      t.set(i, buf(i), 16, i + 1 < SIZE ? DESC_F_NEXT : 0, i + 1);
    }
    desc(0, TABLES, 16 * SIZE, DESC_F_INDIRECT, 0);
    // Direct prefix of 1 + indirect table of SIZE - 1 entries = SIZE buffers.
    DescriptorTable u = table(TABLES + 0x100, SIZE - 1);
    for (int i = 0; i < SIZE - 1; i++) {
      u.set(i, buf(i + 1), 16, i + 1 < SIZE - 1 ? DESC_F_NEXT : 0, i + 1);
    }
    desc(1, buf(20), 4, DESC_F_NEXT, 2);
    desc(2, TABLES + 0x100, 16 * (SIZE - 1), DESC_F_INDIRECT, 0);
    makeAvailable(0, 1);

    Chain c = v.newChain();
    assertThat(v.getAvail(c)).as("%s", v).isEqualTo(Vringh.GOT_CHAIN);
    assertThat(c.readableCount()).isEqualTo(SIZE);
    Chain d = v.newChain();
    assertThat(v.getAvail(d)).as("%s", v).isEqualTo(Vringh.GOT_CHAIN);
    assertThat(d.readableCount()).isEqualTo(SIZE);
    assertThat(d.readableOffset(0)).isEqualTo(buf(20) - BUS);
    assertThat(d.readableOffset(1)).isEqualTo(buf(1) - BUS);
  }

  /** On a one-entry queue an indirect table of one entry is a chain of length 1. */
  @Test
  void indirectOnAQueueOfOne() {
    QueueGeometry g = QueueGeometry.compact(BUS, 1);
    QueueGeometry.Resolved r = g.resolve("driver-view", window);
    new DescriptorTable(window.slice(TABLES, 16)).set(0, buf(0), 64, DESC_F_WRITE, 0);
    r.desc().set(0, TABLES, 16, DESC_F_INDIRECT, 0);
    r.avail().setEntry(0, 0);
    r.avail().publishIdx(1);
    Vringh v = Vringh.attach("rx", g, window, false, true);
    Chain c = v.newChain();
    assertThat(v.getAvail(c)).as("%s", v).isEqualTo(Vringh.GOT_CHAIN);
    assertThat(c.writableBytes()).isEqualTo(64);
  }

  // ---------------------------------------------------------------------------------------------
  // Loops.

  @Test
  void descriptorLoop() {
    Vringh v = device(false);
    desc(2, buf(0), 16, DESC_F_NEXT, 5);
    desc(5, buf(1), 16, DESC_F_NEXT, 3);
    desc(3, buf(2), 16, DESC_F_NEXT, 5);
    makeAvailable(2);
    assertLatched(v, take(v), RingViolation.DESCRIPTOR_LOOP, "desc[5] revisited, chain head", 2);
  }

  @Test
  void descriptorSelfLoop() {
    Vringh v = device(false);
    desc(4, buf(0), 16, DESC_F_NEXT, 4);
    makeAvailable(4);
    assertLatched(v, take(v), RingViolation.DESCRIPTOR_LOOP, "desc[4] revisited, chain head", 4);
  }

  @Test
  void descriptorLoopInsideAnIndirectTable() {
    Vringh v = device(true);
    DescriptorTable t = table(TABLES, 4);
    t.set(0, buf(0), 16, DESC_F_NEXT, 1);
    t.set(1, buf(1), 16, DESC_F_NEXT, 2);
    t.set(2, buf(2), 16, DESC_F_NEXT, 1);
    t.set(3, buf(3), 16, 0, 0);
    desc(6, TABLES, 64, DESC_F_INDIRECT, 0);
    makeAvailable(6);
    assertLatched(v, take(v), RingViolation.DESCRIPTOR_LOOP, "indirect desc[1] revisited, chain head", 6);
  }

  // ---------------------------------------------------------------------------------------------
  // Ranges.

  @ParameterizedTest
  @ValueSource(ints = {SIZE, SIZE + 1, 0x7FFF, 0xFFFF})
  void headOutOfRange(int head) {
    Vringh v = device(false);
    desc(0, buf(0), 16, 0, 0);
    makeAvailable(0, head);
    assertThat(take(v)).isEqualTo(Vringh.GOT_CHAIN);
    assertLatched(v, take(v), RingViolation.HEAD_OUT_OF_RANGE, "avail.ring[1]", head);
  }

  @ParameterizedTest
  @ValueSource(ints = {SIZE, 0xFFFF})
  void nextOutOfRange(int next) {
    Vringh v = device(false);
    desc(1, buf(0), 16, DESC_F_NEXT, 2);
    desc(2, buf(1), 16, DESC_F_NEXT, next);
    makeAvailable(1);
    assertLatched(v, take(v), RingViolation.NEXT_OUT_OF_RANGE, "desc[2].next", next);
  }

  /** Inside an indirect table the bound is the table's own length, not the queue size. */
  @Test
  void nextOutOfRangeInsideAnIndirectTable() {
    Vringh v = device(true);
    DescriptorTable t = table(TABLES, 3);
    t.set(0, buf(0), 16, DESC_F_NEXT, 1);
    t.set(1, buf(1), 16, DESC_F_NEXT, 3); // < SIZE but ≥ 3 entries
    desc(0, TABLES, 48, DESC_F_INDIRECT, 0);
    makeAvailable(0);
    assertLatched(v, take(v), RingViolation.NEXT_OUT_OF_RANGE, "indirect desc[1].next", 3);
  }

  @Test
  void chainLongerThanTheQueueThroughAnIndirectTable() {
    Vringh v = device(true);
    DescriptorTable t = table(TABLES, SIZE + 1);
    for (int i = 0; i <= SIZE; i++) {
      t.set(i, buf(i), 16, i < SIZE ? DESC_F_NEXT : 0, i + 1);
    }
    desc(3, TABLES, 16 * (SIZE + 1), DESC_F_INDIRECT, 0);
    makeAvailable(3);
    assertLatched(v, take(v), RingViolation.CHAIN_TOO_LONG, "desc[3].len / 16", SIZE + 1);
  }

  @Test
  void chainLongerThanTheQueueThroughADirectPrefixAndAnIndirectTable() {
    Vringh v = device(true);
    DescriptorTable t = table(TABLES, SIZE - 1);
    for (int i = 0; i < SIZE - 1; i++) {
      t.set(i, buf(i), 16, i + 1 < SIZE - 1 ? DESC_F_NEXT : 0, i + 1);
    }
    desc(0, buf(10), 16, DESC_F_NEXT, 1);
    desc(1, buf(11), 16, DESC_F_NEXT, 2);
    desc(2, TABLES, 16 * (SIZE - 1), DESC_F_INDIRECT, 0); // 2 + 7 = 9 buffers
    makeAvailable(0);
    assertLatched(v, take(v), RingViolation.CHAIN_TOO_LONG, "desc[2].len / 16", SIZE - 1);
  }

  // ---------------------------------------------------------------------------------------------
  // Window bounds of buffers and tables.

  @Test
  void bufferStartingPastTheWindowEnd() {
    Vringh v = device(false);
    long addr = BUS + WINDOW_BYTES; // the first canary byte
    desc(0, addr, 1, 0, 0);
    makeAvailable(0);
    assertLatched(v, take(v), RingViolation.BUFFER_OUT_OF_WINDOW, "desc[0].addr", addr);
  }

  @Test
  void bufferStartingBeforeTheWindow() {
    Vringh v = device(false);
    long addr = BUS - 1;
    desc(0, addr, 1, 0, 0);
    makeAvailable(0);
    assertLatched(v, take(v), RingViolation.BUFFER_OUT_OF_WINDOW, "desc[0].addr", addr);
  }

  @Test
  void bufferRunningOnePastTheWindowEnd() {
    Vringh v = device(false);
    long addr = BUS + WINDOW_BYTES - 16;
    desc(0, addr, 16, DESC_F_NEXT, 1); // exactly fits
    desc(1, addr, 17, DESC_F_WRITE, 0); // one byte too many
    makeAvailable(0);
    assertLatched(v, take(v), RingViolation.BUFFER_OUT_OF_WINDOW, "desc[1].addr", addr);
  }

  @Test
  void bufferWithHugeLength() {
    Vringh v = device(false);
    desc(0, buf(0), 0xFFFF_FFFF, 0, 0); // unsigned 4 GiB - 1
    makeAvailable(0);
    assertLatched(v, take(v), RingViolation.BUFFER_OUT_OF_WINDOW, "desc[0].addr", buf(0));
  }

  /**
   * addr near 2^64 whose addr + len wraps around to an address inside the window: a naive
   * {@code addr >= base && addr + len <= end} would accept it.
   */
  @Test
  void bufferWhoseEndWrapsPast2To64IntoTheWindow() {
    Vringh v = device(false);
    long addr = -16L; // 0xFFFF_FFFF_FFFF_FFF0
    int len = (int) (BUS + 0x20); // addr + len = BUS + 0x10 (mod 2^64): inside
    assertThat(addr + len).isEqualTo(BUS + 0x10);
    desc(0, addr, len, 0, 0);
    makeAvailable(0);
    assertLatched(v, take(v), RingViolation.BUFFER_OUT_OF_WINDOW, "desc[0].addr", addr);
  }

  @Test
  void bufferAtTheTopOfTheAddressSpace() {
    Vringh v = device(false);
    long addr = 0xFFFF_FFFF_FFFF_FFFFL;
    desc(0, addr, 1, 0, 0);
    makeAvailable(0);
    assertLatched(v, take(v), RingViolation.BUFFER_OUT_OF_WINDOW, "desc[0].addr", addr);
  }

  @Test
  void bufferOutOfWindowInsideAnIndirectTable() {
    Vringh v = device(true);
    DescriptorTable t = table(TABLES, 2);
    t.set(0, buf(0), 16, DESC_F_NEXT, 1);
    t.set(1, BUS + WINDOW_BYTES - 8, 9, DESC_F_WRITE, 0);
    desc(0, TABLES, 32, DESC_F_INDIRECT, 0);
    makeAvailable(0);
    assertLatched(v, take(v), RingViolation.BUFFER_OUT_OF_WINDOW, "indirect desc[1].addr", BUS + WINDOW_BYTES - 8);
  }

  @Test
  void indirectTableOutOfWindow() {
    Vringh v = device(true);
    long addr = BUS + WINDOW_BYTES - 16; // a 2-entry table would run 16 bytes past the end
    desc(0, addr, 32, DESC_F_INDIRECT, 0);
    makeAvailable(0);
    assertLatched(v, take(v), RingViolation.BUFFER_OUT_OF_WINDOW, "desc[0].addr (indirect table)", addr);
  }

  // ---------------------------------------------------------------------------------------------
  // Direction and indirect rules.

  @Test
  void readableAfterWritable() {
    Vringh v = device(false);
    desc(0, buf(0), 16, DESC_F_NEXT, 1);
    desc(1, buf(1), 16, DESC_F_WRITE | DESC_F_NEXT, 2);
    desc(2, buf(2), 16, 0, 0);
    makeAvailable(0);
    assertLatched(v, take(v), RingViolation.READABLE_AFTER_WRITABLE, "desc[2].flags", 0);
  }

  @Test
  void readableAfterWritableInsideAnIndirectTable() {
    Vringh v = device(true);
    DescriptorTable t = table(TABLES, 2);
    t.set(0, buf(0), 16, DESC_F_WRITE | DESC_F_NEXT, 1);
    t.set(1, buf(1), 16, 0, 0);
    desc(0, TABLES, 32, DESC_F_INDIRECT, 0);
    makeAvailable(0);
    assertLatched(v, take(v), RingViolation.READABLE_AFTER_WRITABLE, "indirect desc[1].flags", 0);
  }

  @Test
  void nestedIndirect() {
    Vringh v = device(true);
    DescriptorTable t = table(TABLES, 2);
    t.set(0, buf(0), 16, DESC_F_NEXT, 1);
    t.set(1, TABLES, 32, DESC_F_INDIRECT, 0); // points at its own table
    desc(0, TABLES, 32, DESC_F_INDIRECT, 0);
    makeAvailable(0);
    assertLatched(v, take(v), RingViolation.NESTED_INDIRECT, "indirect desc[1].flags", DESC_F_INDIRECT);
  }

  @Test
  void indirectWithNext() {
    Vringh v = device(true);
    table(TABLES, 1).set(0, buf(0), 16, 0, 0);
    desc(0, TABLES, 16, DESC_F_INDIRECT | DESC_F_NEXT, 1);
    desc(1, buf(1), 16, 0, 0);
    makeAvailable(0);
    assertLatched(v, take(v), RingViolation.INDIRECT_WITH_NEXT, "desc[0].flags", DESC_F_INDIRECT | DESC_F_NEXT);
  }

  @Test
  void indirectNotNegotiated() {
    Vringh v = device(false);
    table(TABLES, 1).set(0, buf(0), 16, 0, 0);
    desc(0, TABLES, 16, DESC_F_INDIRECT, 0);
    makeAvailable(0);
    assertLatched(v, take(v), RingViolation.INDIRECT_NOT_NEGOTIATED, "desc[0].flags", DESC_F_INDIRECT);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 8, 24, 17})
  void badIndirectLength(int len) {
    Vringh v = device(true);
    table(TABLES, 2).set(0, buf(0), 16, 0, 0);
    desc(0, TABLES, len, DESC_F_INDIRECT, 0);
    makeAvailable(0);
    assertLatched(v, take(v), RingViolation.BAD_INDIRECT_LENGTH, "desc[0].len", len);
  }

  // ---------------------------------------------------------------------------------------------
  // avail.idx and heads.

  @ParameterizedTest
  @ValueSource(ints = {SIZE + 1, 0x8000, 0xFFFF})
  void availIdxJumpsPastTheQueueSize(int idx) {
    Vringh v = device(false);
    rings.avail().publishIdx(idx);
    assertThat(v.pendingAvail()).isEqualTo(SIZE);
    assertLatched(v, take(v), RingViolation.AVAIL_IDX_JUMP, "avail.idx", idx);
  }

  /** A full queue (exactly SIZE pending) is legal; one more is a jump, also across the 2^16 wrap. */
  @Test
  void availIdxJumpAcrossTheWrap() {
    rings.used().publishIdx(0xFFFC); // the device resumes at lastAvailIdx = used.idx = 0xFFFC
    Vringh v = device(false);
    for (int i = 0; i < SIZE; i++) {
      desc(i, buf(i), 16, 0, 0);
      rings.avail().setEntry((0xFFFC + i) & (SIZE - 1), i);
    }
    rings.avail().publishIdx((0xFFFC + SIZE) & 0xFFFF); // 4: exactly SIZE ahead, across the wrap
    for (int i = 0; i < SIZE; i++) {
      Chain c = v.newChain();
      assertThat(v.getAvail(c)).isEqualTo(Vringh.GOT_CHAIN);
      assertThat(c.head()).isEqualTo(i);
    }
    assertThat(take(v)).isEqualTo(Vringh.EMPTY);
    rings.avail().publishIdx((0xFFFC + SIZE + SIZE + 1) & 0xFFFF); // 13: 9 ahead of lastAvailIdx 4
    assertLatched(v, take(v), RingViolation.AVAIL_IDX_JUMP, "avail.idx", 13);
  }

  @Test
  void headInUse() {
    Vringh v = device(false);
    desc(3, buf(0), 16, 0, 0);
    makeAvailable(3, 3);
    assertThat(take(v)).isEqualTo(Vringh.GOT_CHAIN);
    assertThat(v.heldCount()).isEqualTo(1);
    assertLatched(v, take(v), RingViolation.HEAD_IN_USE, "avail.ring[1]", 3);
  }

  /** Once completed, the same head may come back: HEAD_IN_USE is about chains still held. */
  @Test
  void headReusedAfterCompletionIsFine() {
    Vringh v = device(false);
    desc(3, buf(0), 16, 0, 0);
    makeAvailable(3);
    Chain c = v.newChain();
    assertThat(v.getAvail(c)).isEqualTo(Vringh.GOT_CHAIN);
    v.addUsed(c.head(), 0);
    v.publishUsed();
    makeAvailable(3);
    assertThat(take(v)).isEqualTo(Vringh.GOT_CHAIN);
  }

  @Test
  void badAvailFlagsAreReportedByNeedNotify() {
    Vringh v = device(false);
    desc(0, buf(0), 16, 0, 0);
    makeAvailable(0);
    Chain c = v.newChain();
    assertThat(v.getAvail(c)).isEqualTo(Vringh.GOT_CHAIN);
    v.addUsed(c.head(), 0);
    v.publishUsed();
    rings.avail().setFlags(0x2);
    assertThat(v.needNotify()).as("notify on doubt").isTrue();
    assertThat(v.violation().violation()).isEqualTo(RingViolation.BAD_AVAIL_FLAGS);
    assertThat(v.violation().field()).isEqualTo("avail.flags");
    assertThat(v.violation().value()).isEqualTo(2);
    assertThat(take(v)).isEqualTo(Vringh.BROKEN);
  }

  /** The first violation wins: a second, different malformation does not overwrite it. */
  @Test
  void firstViolationIsKept() {
    Vringh v = device(false);
    desc(0, buf(0), 16, DESC_F_NEXT, 0);
    makeAvailable(0);
    assertThat(take(v)).isEqualTo(Vringh.BROKEN);
    rings.avail().publishIdx(0xFFFF);
    assertThat(take(v)).isEqualTo(Vringh.BROKEN);
    assertThat(v.violation().violation()).isEqualTo(RingViolation.DESCRIPTOR_LOOP);
  }

  /** A chain larger than 2^32 bytes in total needs a window of more than 4 GiB: a sparse shm file. */
  @Test
  void chainLargerThan4GiB() throws IOException {
    Path file = io.reactorvirtio.testsupport.ShmFiles.unique("vringh-4g");
    long bytes = (1L << 32) + 0x10000;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE);
        Arena a = Arena.ofConfined()) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {0}), bytes - 1); // sparse: only the pages we touch exist
      MemorySegment seg = ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes, a);
      Window w = Window.of(seg, 0);
      QueueGeometry g = QueueGeometry.compact(0, SIZE);
      QueueGeometry.Resolved r = g.resolve("driver-view", w);
      r.desc().set(0, 0x1000, 0x8000_0000, DESC_F_NEXT, 1);
      r.desc().set(1, 0x1000, 0x7FFF_FFFF, DESC_F_NEXT, 2); // 2^32 - 1 so far: still legal
      r.desc().set(2, 0x1000, 2, DESC_F_WRITE, 0); // 2^32 + 1 bytes in total
      r.avail().setEntry(0, 0);
      r.avail().publishIdx(1);
      Vringh v = Vringh.attach("rx", g, w, false, false);
      assertLatched(v, take(v), RingViolation.CHAIN_TOO_LARGE, "chain bytes from head 0", (1L << 32) + 1);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Geometry validation (QueueGeometry.resolve, also through Vringh.attach).

  @Nested
  class Geometry {

    RingViolationException resolveFails(QueueGeometry g, Window w) {
      try {
        g.resolve("rx", w);
      } catch (RingViolationException e) {
        return e;
      }
      throw new AssertionError("resolve accepted " + g);
    }

    void assertRejected(QueueGeometry g, Window w, RingViolation expected, String field, long value) {
      RingViolationException e = resolveFails(g, w);
      assertThat(e.violation()).isEqualTo(expected);
      assertThat(e.field()).isEqualTo(field);
      assertThat(e.value()).isEqualTo(value);
      assertThat(e.getMessage()).contains(field).contains(String.valueOf(value)).contains("'rx'");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 12, 32769, 65536, -8})
    void sizeNotAPowerOfTwoOrTooBig(int size) {
      assertRejected(new QueueGeometry(size, BUS, BUS + 0x100, BUS + 0x200), window, RingViolation.QUEUE_SIZE,
          "queue_size", size);
      assertThatThrownBy(() -> Vringh.attach("rx", new QueueGeometry(size, BUS, BUS + 0x100, BUS + 0x200), window, false,
              false))
          .isInstanceOf(RingViolationException.class)
          .hasMessageContaining("queue_size");
    }

    @Test
    void largestSizeIsAccepted() {
      try (Arena a = Arena.ofConfined()) {
        MemorySegment big = a.allocate(SplitRingLayout.legacyRingBytes(32768, 4096), 4096);
        QueueGeometry.legacy(0, 32768, 4096).resolve("rx", Window.identity(big));
      }
    }

    @ParameterizedTest
    @ValueSource(longs = {8, 4, 1, 0x108})
    void misalignedDescriptorTable(long delta) {
      QueueGeometry ok = QueueGeometry.compact(BUS, SIZE);
      long addr = BUS + delta;
      assertRejected(new QueueGeometry(SIZE, addr, ok.availAddr(), ok.usedAddr()), window, RingViolation.RING_MISALIGNED,
          "queue_desc", addr);
    }

    @Test
    void misalignedAvailRing() {
      QueueGeometry ok = QueueGeometry.compact(BUS, SIZE);
      assertRejected(new QueueGeometry(SIZE, BUS, ok.availAddr() + 1, ok.usedAddr() + 0x100), window,
          RingViolation.RING_MISALIGNED, "queue_driver", ok.availAddr() + 1);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void misalignedUsedRing(int delta) {
      QueueGeometry ok = QueueGeometry.compact(BUS, SIZE);
      assertRejected(new QueueGeometry(SIZE, BUS, ok.availAddr(), ok.usedAddr() + delta), window,
          RingViolation.RING_MISALIGNED, "queue_device", ok.usedAddr() + delta);
    }

    /** Aligned bus addresses in a window whose mapping is misaligned: atomic access would fault. */
    @Test
    void misalignedMapping() {
      Window shifted = Window.of(slice.asSlice(2, 0x1000), BUS);
      assertRejected(QueueGeometry.compact(BUS, SIZE), shifted, RingViolation.RING_MISALIGNED, "queue_desc", BUS);
    }

    @Test
    void ringsOutsideTheWindow() {
      long end = BUS + WINDOW_BYTES;
      QueueGeometry ok = QueueGeometry.compact(BUS, SIZE);
      assertRejected(new QueueGeometry(SIZE, BUS - 0x1000, ok.availAddr(), ok.usedAddr()), window,
          RingViolation.RING_OUT_OF_WINDOW, "queue_desc", BUS - 0x1000);
      assertRejected(new QueueGeometry(SIZE, end - 0x40, ok.availAddr(), ok.usedAddr()), window,
          RingViolation.RING_OUT_OF_WINDOW, "queue_desc", end - 0x40); // starts inside, runs out
      assertRejected(new QueueGeometry(SIZE, BUS, end - 2, ok.usedAddr()), window,
          RingViolation.RING_OUT_OF_WINDOW, "queue_driver", end - 2);
      assertRejected(new QueueGeometry(SIZE, BUS, ok.availAddr(), end), window,
          RingViolation.RING_OUT_OF_WINDOW, "queue_device", end);
      assertRejected(new QueueGeometry(SIZE, BUS, ok.availAddr(), -16L), window,
          RingViolation.RING_OUT_OF_WINDOW, "queue_device", -16L);
      assertRejected(QueueGeometry.legacy(BUS, 2048, 4096), window, RingViolation.RING_OUT_OF_WINDOW, "queue_desc", BUS);
      assertRejected(QueueGeometry.legacy(BUS, 1024, 4096), window, RingViolation.RING_OUT_OF_WINDOW, "queue_driver",
          BUS + 0x4000); // the 16 KiB table fills the window exactly
      assertThatThrownBy(() -> Vringh.attach("rx", QueueGeometry.legacy(BUS + 0x3000, SIZE, 4096), window, false, false))
          .isInstanceOf(RingViolationException.class)
          .hasMessageContaining("queue_device");
    }
  }
}
