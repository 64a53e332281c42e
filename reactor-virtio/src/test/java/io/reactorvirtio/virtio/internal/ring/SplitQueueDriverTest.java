package io.reactorvirtio.virtio.internal.ring;

import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_F_INDIRECT;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_F_NEXT;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_F_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.virtio.RingViolation;
import io.reactorvirtio.virtio.RingViolationException;
import io.reactorvirtio.virtio.memory.Window;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Driver side against a hand-written (and sometimes hostile) device: the test plays the device by
 * writing the used ring through its own flyweights over the same native memory.
 */
class SplitQueueDriverTest {

  static final int SIZE = 8;
  static final long BUS = 0x8000_0000L;
  static final long INDIRECT = BUS + 0x2000;
  static final long DATA = BUS + 0x4000;
  static final int MAX_INDIRECT = 4;

  Arena arena;
  MemorySegment memory;
  Window window;
  QueueGeometry geometry;
  /** The device's view of the same rings. */
  QueueGeometry.Resolved dev;
  int usedIdx;

  @BeforeEach
  void setUp() {
    arena = Arena.ofConfined();
    memory = arena.allocate(0x8000, 4096);
    memory.fill((byte) 0x5A); // reset() must initialise the ring memory itself
    window = Window.of(memory, BUS);
    geometry = QueueGeometry.legacy(BUS, SIZE, 4096);
    dev = geometry.resolve("device-view", window);
    usedIdx = 0;
  }

  @AfterEach
  void tearDown() {
    arena.close();
  }

  SplitQueueDriver driver(boolean eventIdx) {
    return SplitQueueDriver.create("tx", geometry, window, eventIdx, INDIRECT, MAX_INDIRECT);
  }

  static long buf(int i) {
    return DATA + 0x100L * i;
  }

  /** The device returns {@code head} with {@code len} and publishes used.idx. */
  void deviceReturns(int head, int len) {
    dev.used().setElem(usedIdx & (SIZE - 1), head, len);
    usedIdx = (usedIdx + 1) & 0xFFFF;
    dev.used().publishIdx(usedIdx);
  }

  static void assertBroken(SplitQueueDriver d, int result, RingViolation expected, String field, long value) {
    assertThat(result).isEqualTo(SplitQueueDriver.BROKEN);
    assertThat(d.isBroken()).isTrue();
    RingViolationException e = d.violation();
    assertThat(e.violation()).isEqualTo(expected);
    assertThat(e.field()).isEqualTo(field);
    assertThat(e.value()).isEqualTo(value);
    assertThat(e.getMessage()).contains("'tx'").contains(field + " = " + value);
    // Latched: nothing more happens on this queue.
    assertThat(d.pollUsed()).isEqualTo(SplitQueueDriver.BROKEN);
    assertThat(d.addBuffer(buf(7), 1, false, 99)).isEqualTo(SplitQueueDriver.BROKEN);
    assertThat(d.addChain(new long[] {buf(7)}, new int[] {1}, 1, 0, 99)).isEqualTo(SplitQueueDriver.BROKEN);
    assertThat(d.violation().violation()).isEqualTo(expected);
  }

  // ---------------------------------------------------------------------------------------------
  // Normal operation.

  @Test
  void createInitialisesTheRings() {
    SplitQueueDriver d = driver(false);
    assertThat(dev.used().flags()).isZero();
    assertThat(dev.used().idxAcquire()).isZero();
    assertThat(dev.avail().idxAcquire()).isZero();
    assertThat(dev.avail().flags()).isZero();
    assertThat(d.numFree()).isEqualTo(SIZE);
    assertThat(d.outstanding()).isZero();
    assertThat(d.pollUsed()).isEqualTo(SplitQueueDriver.EMPTY);
  }

  @Test
  void addPollCycle() {
    SplitQueueDriver d = driver(false);

    int h1 = d.addBuffer(buf(0), 512, true, 1001);
    int h2 = d.addChain(new long[] {buf(1), buf(2), buf(3)}, new int[] {16, 32, 100}, 2, 1, 1002);
    assertThat(h1).isBetween(0, SIZE - 1);
    assertThat(h2).isBetween(0, SIZE - 1).isNotEqualTo(h1);
    assertThat(d.numFree()).isEqualTo(SIZE - 4);
    assertThat(d.outstanding()).isEqualTo(2);

    // What the device sees.
    assertThat(dev.avail().idxAcquire()).isEqualTo(2);
    assertThat(dev.avail().entry(0)).isEqualTo(h1);
    assertThat(dev.avail().entry(1)).isEqualTo(h2);
    DescriptorTable t = dev.desc();
    assertThat(t.addr(h1)).isEqualTo(buf(0));
    assertThat(t.len(h1)).isEqualTo(512);
    assertThat(t.flags(h1)).isEqualTo(DESC_F_WRITE);
    int i = h2;
    long[] addrs = {buf(1), buf(2), buf(3)};
    int[] lens = {16, 32, 100};
    int[] flags = {DESC_F_NEXT, DESC_F_NEXT, DESC_F_WRITE};
    Set<Integer> seen = new HashSet<>();
    for (int k = 0; k < 3; k++) {
      assertThat(seen.add(i)).isTrue();
      assertThat(t.addr(i)).isEqualTo(addrs[k]);
      assertThat(t.len(i)).isEqualTo(lens[k]);
      assertThat(t.flags(i)).isEqualTo(flags[k]);
      i = t.next(i);
    }
    assertThat(seen).doesNotContain(h1);

    assertThat(d.kickPrepare()).isTrue();
    assertThat(d.kickPrepare()).as("nothing new since the last decision").isFalse();

    // Device completes out of order.
    assertThat(d.hasUsed()).isFalse();
    deviceReturns(h2, 77);
    deviceReturns(h1, 512);
    assertThat(d.hasUsed()).isTrue();
    assertThat(d.pendingUsed()).isEqualTo(2);
    assertThat(d.pollUsed()).isEqualTo(1002);
    assertThat(d.lastUsedHead()).isEqualTo(h2);
    assertThat(d.lastUsedLen()).isEqualTo(77);
    assertThat(d.numFree()).isEqualTo(SIZE - 1);
    assertThat(d.pollUsed()).isEqualTo(1001);
    assertThat(d.lastUsedHead()).isEqualTo(h1);
    assertThat(d.lastUsedLen()).isEqualTo(512);
    assertThat(d.pollUsed()).isEqualTo(SplitQueueDriver.EMPTY);
    assertThat(d.numFree()).isEqualTo(SIZE);
    assertThat(d.outstanding()).isZero();
    assertThat(d.isBroken()).isFalse();

    // The freed descriptors are reusable: a full-size chain fits again.
    long[] all = new long[SIZE];
    int[] allLens = new int[SIZE];
    for (int k = 0; k < SIZE; k++) {
      all[k] = buf(k);
      allLens[k] = 8;
    }
    int h = d.addChain(all, allLens, SIZE / 2, SIZE / 2, 7);
    assertThat(h).isNotNegative();
    assertThat(d.numFree()).isZero();
    deviceReturns(h, 8 * SIZE / 2);
    assertThat(d.pollUsed()).isEqualTo(7);
    assertThat(d.numFree()).isEqualTo(SIZE);
  }

  @Test
  void indirectChainUsesOneDescriptorAndATableInTheIndirectArea() {
    SplitQueueDriver d = driver(false);
    int h = d.addIndirect(new long[] {buf(0), buf(1), buf(2)}, new int[] {10, 20, 30}, 1, 2, 42);
    assertThat(d.numFree()).isEqualTo(SIZE - 1);
    DescriptorTable t = dev.desc();
    long table = INDIRECT + (long) h * MAX_INDIRECT * 16;
    assertThat(t.addr(h)).isEqualTo(table);
    assertThat(t.len(h)).isEqualTo(48);
    assertThat(t.flags(h)).isEqualTo(DESC_F_INDIRECT);
    DescriptorTable it = new DescriptorTable(window.slice(table, 48));
    assertThat(it.addr(0)).isEqualTo(buf(0));
    assertThat(it.flags(0)).isEqualTo(DESC_F_NEXT);
    assertThat(it.next(0)).isEqualTo(1);
    assertThat(it.flags(1)).isEqualTo(DESC_F_NEXT | DESC_F_WRITE);
    assertThat(it.next(1)).isEqualTo(2);
    assertThat(it.flags(2)).isEqualTo(DESC_F_WRITE);
    assertThat(it.len(2)).isEqualTo(30);

    deviceReturns(h, 50); // writable capacity 20 + 30
    assertThat(d.pollUsed()).isEqualTo(42);
    assertThat(d.lastUsedLen()).isEqualTo(50);
    assertThat(d.numFree()).isEqualTo(SIZE);

    assertThatThrownBy(() -> d.addIndirect(new long[5], new int[5], 5, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void noSpaceWhenFull() {
    SplitQueueDriver d = driver(false);
    for (int k = 0; k < SIZE; k++) {
      assertThat(d.addBuffer(buf(k), 64, k % 2 == 0, k)).isNotNegative();
    }
    assertThat(d.numFree()).isZero();
    assertThat(d.addBuffer(buf(0), 64, true, 100)).isEqualTo(SplitQueueDriver.NO_SPACE);
    assertThat(d.addIndirect(new long[] {buf(0)}, new int[] {1}, 1, 0, 101)).isEqualTo(SplitQueueDriver.NO_SPACE);
    assertThat(d.addChain(new long[] {buf(0)}, new int[] {1}, 1, 0, 102)).isEqualTo(SplitQueueDriver.NO_SPACE);
    assertThat(dev.avail().idxAcquire()).as("nothing published").isEqualTo(SIZE);
    assertThat(d.isBroken()).isFalse();

    // One freed descriptor: a one-buffer chain fits, a two-buffer chain does not.
    deviceReturns(dev.avail().entry(3), 0);
    assertThat(d.pollUsed()).isEqualTo(3);
    assertThat(d.addChain(new long[] {buf(0), buf(1)}, new int[] {1, 1}, 1, 1, 103)).isEqualTo(SplitQueueDriver.NO_SPACE);
    assertThat(d.addBuffer(buf(0), 1, false, 104)).isNotNegative();
    assertThat(d.addBuffer(buf(0), 1, false, 105)).isEqualTo(SplitQueueDriver.NO_SPACE);
  }

  // ---------------------------------------------------------------------------------------------
  // Hostile device.

  @ParameterizedTest
  @ValueSource(longs = {SIZE, SIZE + 1, 0xFFFF, 0xFFFF_FFFFL})
  void usedIdOutOfRange(long id) {
    SplitQueueDriver d = driver(false);
    d.addBuffer(buf(0), 64, true, 1);
    deviceReturns((int) id, 0);
    assertBroken(d, d.pollUsed(), RingViolation.USED_ID_OUT_OF_RANGE, "used.ring[0].id", id);
  }

  @Test
  void usedIdNotOutstanding() {
    SplitQueueDriver d = driver(false);
    int h = d.addBuffer(buf(0), 64, true, 1);
    deviceReturns((h + 1) % SIZE, 0);
    assertBroken(d, d.pollUsed(), RingViolation.USED_ID_NOT_OUTSTANDING, "used.ring[0].id", (h + 1) % SIZE);
  }

  @Test
  void usedIdReturnedTwice() {
    SplitQueueDriver d = driver(false);
    int h = d.addBuffer(buf(0), 64, true, 1);
    d.addBuffer(buf(1), 64, true, 2);
    deviceReturns(h, 1);
    deviceReturns(h, 1); // duplicate
    assertThat(d.pollUsed()).isEqualTo(1);
    assertBroken(d, d.pollUsed(), RingViolation.USED_ID_NOT_OUTSTANDING, "used.ring[1].id", h);
  }

  @Test
  void usedIdxJumpsPastTheOutstandingChains() {
    SplitQueueDriver d = driver(false);
    int h1 = d.addBuffer(buf(0), 64, true, 1);
    int h2 = d.addBuffer(buf(1), 64, true, 2);
    dev.used().setElem(0, h1, 0);
    dev.used().setElem(1, h2, 0);
    dev.used().publishIdx(3); // only two outstanding
    assertBroken(d, d.pollUsed(), RingViolation.USED_IDX_JUMP, "used.idx", 3);
  }

  @Test
  void usedIdxGoingBackwardsIsAJump() {
    SplitQueueDriver d = driver(false);
    d.addBuffer(buf(0), 64, true, 1);
    dev.used().publishIdx(0xFFFF);
    assertBroken(d, d.pollUsed(), RingViolation.USED_IDX_JUMP, "used.idx", 0xFFFF);
  }

  @Test
  void usedIdxWithNothingOutstanding() {
    SplitQueueDriver d = driver(false);
    dev.used().publishIdx(1);
    assertBroken(d, d.pollUsed(), RingViolation.USED_IDX_JUMP, "used.idx", 1);
  }

  @Test
  void usedLenBeyondTheWritableCapacity() {
    SplitQueueDriver d = driver(false);
    int h = d.addChain(new long[] {buf(0), buf(1), buf(2)}, new int[] {1000, 100, 28}, 1, 2, 5);
    int g = d.addChain(new long[] {buf(3), buf(4)}, new int[] {100, 28}, 0, 2, 6);
    deviceReturns(h, 128); // exactly the capacity: fine
    deviceReturns(g, 129);
    assertThat(d.pollUsed()).isEqualTo(5);
    assertThat(d.lastUsedLen()).isEqualTo(128);
    assertBroken(d, d.pollUsed(), RingViolation.USED_LEN_TOO_LONG, "used.ring[1].len", 129);
  }

  @Test
  void usedLenBeyondTheWritableCapacityOfAnIndirectChain() {
    SplitQueueDriver d = driver(false);
    int h = d.addIndirect(new long[] {buf(0), buf(1)}, new int[] {64, 16}, 1, 1, 5);
    deviceReturns(h, 17);
    assertBroken(d, d.pollUsed(), RingViolation.USED_LEN_TOO_LONG, "used.ring[0].len", 17);
  }

  @Test
  void usedLenAsUnsigned() {
    SplitQueueDriver d = driver(false);
    int h = d.addBuffer(buf(0), 64, true, 5);
    deviceReturns(h, -1);
    assertBroken(d, d.pollUsed(), RingViolation.USED_LEN_TOO_LONG, "used.ring[0].len", 0xFFFF_FFFFL);
  }

  /** OpenAMP reports the buffer length on chains with nothing writable: ignored, not a violation. */
  @Test
  void usedLenOnAReadableOnlyChainIsIgnored() {
    SplitQueueDriver d = driver(false);
    int h = d.addBuffer(buf(0), 512, false, 9);
    int g = d.addChain(new long[] {buf(1), buf(2)}, new int[] {16, 16}, 2, 0, 10);
    deviceReturns(h, 512);
    deviceReturns(g, 0xFFFF_FFFF);
    assertThat(d.pollUsed()).isEqualTo(9);
    assertThat(d.lastUsedLen()).isZero();
    assertThat(d.pollUsed()).isEqualTo(10);
    assertThat(d.lastUsedLen()).isZero();
    assertThat(d.isBroken()).isFalse();
    assertThat(d.numFree()).isEqualTo(SIZE);
  }

  @Test
  void resetClearsTheLatchAndTheRings() {
    SplitQueueDriver d = driver(false);
    d.addBuffer(buf(0), 64, true, 1);
    dev.used().publishIdx(5);
    assertThat(d.pollUsed()).isEqualTo(SplitQueueDriver.BROKEN);
    d.reset();
    assertThat(d.isBroken()).isFalse();
    assertThat(dev.used().idxAcquire()).isZero();
    assertThat(dev.avail().idxAcquire()).isZero();
    assertThat(d.numFree()).isEqualTo(SIZE);
    usedIdx = 0;
    int h = d.addBuffer(buf(0), 64, true, 2);
    deviceReturns(h, 3);
    assertThat(d.pollUsed()).isEqualTo(2);
  }

  // ---------------------------------------------------------------------------------------------
  // Notification suppression.

  @Test
  void kickPrepareHonoursUsedFlagsNoNotify() {
    SplitQueueDriver d = driver(false);
    assertThat(d.kickPrepare()).as("nothing added").isFalse();
    d.addBuffer(buf(0), 1, false, 1);
    assertThat(d.kickPrepare()).isTrue();

    dev.used().setFlags(SplitRingLayout.USED_F_NO_NOTIFY);
    d.addBuffer(buf(1), 1, false, 2);
    assertThat(d.kickPrepare()).isFalse();
    assertThat(d.kickPrepare()).isFalse();

    dev.used().setFlags(0);
    assertThat(d.kickPrepare()).as("the suppressed batch is not re-decided").isFalse();
    d.addBuffer(buf(2), 1, false, 3);
    assertThat(d.kickPrepare()).isTrue();

    // avail_event is ignored without EVENT_IDX.
    dev.used().setAvailEvent(0x1234);
    d.addBuffer(buf(3), 1, false, 4);
    assertThat(d.kickPrepare()).isTrue();
  }

  @Test
  void kickPrepareHonoursAvailEvent() {
    SplitQueueDriver d = driver(true);
    // avail_event = 0 (initial): the first buffer crosses it.
    d.addBuffer(buf(0), 1, false, 1); // avail.idx 0 -> 1
    assertThat(d.kickPrepare()).isTrue();
    d.addBuffer(buf(1), 1, false, 2); // [1, 2)
    assertThat(d.kickPrepare()).isFalse();

    dev.used().setAvailEvent(3);
    d.addBuffer(buf(2), 1, false, 3); // [2, 3): 3 not yet
    assertThat(d.kickPrepare()).isFalse();
    d.addBuffer(buf(3), 1, false, 4);
    d.addBuffer(buf(4), 1, false, 5); // [3, 5) contains 3
    assertThat(d.kickPrepare()).isTrue();

    // used.flags is ignored with EVENT_IDX, both ways.
    dev.used().setFlags(SplitRingLayout.USED_F_NO_NOTIFY);
    dev.used().setAvailEvent(5);
    d.addBuffer(buf(5), 1, false, 6); // [5, 6)
    assertThat(d.kickPrepare()).isTrue();
    dev.used().setFlags(0);
    d.addBuffer(buf(6), 1, false, 7); // [6, 7), event 5 behind
    assertThat(d.kickPrepare()).isFalse();
  }

  @Test
  void callbacksInFlagsMode() {
    SplitQueueDriver d = driver(false);
    assertThat(d.callbacksEnabled()).isTrue();
    d.disableCallbacks();
    assertThat(d.callbacksEnabled()).isFalse();
    assertThat(dev.avail().flags()).isEqualTo(SplitRingLayout.AVAIL_F_NO_INTERRUPT);
    int h = d.addBuffer(buf(0), 8, true, 1);
    assertThat(d.enableCallbacks()).as("nothing used yet").isFalse();
    assertThat(dev.avail().flags()).isZero();
    d.disableCallbacks();
    deviceReturns(h, 8);
    assertThat(d.enableCallbacks()).as("a chain arrived while disabled").isTrue();
    assertThat(d.pollUsed()).isEqualTo(1);
    assertThat(d.enableCallbacks()).isFalse();
  }

  @Test
  void callbacksWithEventIdxWriteUsedEvent() {
    SplitQueueDriver d = driver(true);
    int h1 = d.addBuffer(buf(0), 8, true, 1);
    int h2 = d.addBuffer(buf(1), 8, true, 2);
    d.disableCallbacks();
    assertThat(dev.avail().flags()).as("flags stay 0 with EVENT_IDX").isZero();
    deviceReturns(h1, 1);
    assertThat(d.pollUsed()).isEqualTo(1);
    assertThat(d.enableCallbacks()).isFalse();
    assertThat(dev.avail().usedEvent()).isEqualTo(1);
    assertThat(dev.avail().flags()).isZero();
    deviceReturns(h2, 1);
    assertThat(d.enableCallbacks()).isTrue();
  }
}
