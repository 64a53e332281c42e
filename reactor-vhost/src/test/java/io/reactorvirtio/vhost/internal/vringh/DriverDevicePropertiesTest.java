package io.reactorvirtio.vhost.internal.vringh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.virtio.internal.ring.QueueGeometry;
import io.reactorvirtio.virtio.internal.ring.SplitQueueDriver;
import io.reactorvirtio.virtio.internal.ring.SplitRingLayout;
import io.reactorvirtio.virtio.memory.Window;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Model-based test: {@link SplitQueueDriver} and {@link Vringh} run against each other on one native
 * segment (rings, indirect tables and data buffers), driven by a random list of operations and
 * checked after every step against a FIFO model of what each side must observe.
 *
 * <p>The model: chains leave the driver in add order and reach the device in the same order, with the
 * same buffers and readable bytes; the device may complete them in any order; the driver reclaims
 * them in completion order with the reported length and the bytes the device wrote; descriptors are
 * conserved; notifications follow the flag / event-index rules exactly (FACTS §1.4).
 */
class DriverDevicePropertiesTest {

  enum Kind {
    ADD, TAKE, COMPLETE, PUBLISH, POLL, KICK, NEED_NOTIFY, DEV_ENABLE, DEV_DISABLE, DRV_ENABLE, DRV_DISABLE, ABANDON
  }

  /** One operation; {@code a}, {@code b}, {@code c} parameterise it (shape, choice, length). */
  record Op(Kind kind, int a, int b, int c) {
    @Override
    public String toString() {
      return kind + "(" + a + "," + b + "," + c + ")";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Properties.

  @Property(tries = 300)
  void driverAndDeviceAgreeWithTheModel(
      @ForAll("sizes") int size,
      @ForAll boolean eventIdx,
      @ForAll boolean indirect,
      @ForAll("busBases") long busBase,
      @ForAll boolean legacyLayout,
      @ForAll("ops") List<Op> ops) {
    try (Arena arena = Arena.ofConfined()) {
      Rig rig = new Rig(arena, size, eventIdx, indirect, busBase, legacyLayout);
      for (Op op : ops) {
        rig.apply(op);
      }
      rig.drainAndCheckQuiescent();
      // Coverage report (jqwik statistics): which interesting situations this try reached.
      Statistics.label("kick suppressed").collect(rig.suppressedKicks > 0);
      Statistics.label("interrupt suppressed").collect(rig.suppressedNotifies > 0);
      Statistics.label("wake-up after sleep checked").collect(rig.wakeUpsChecked > 0);
      Statistics.label("out-of-order completion").collect(rig.outOfOrder > 0);
      Statistics.label("abandon").collect(rig.abandons > 0);
      Statistics.label("indirect chain").collect(rig.indirectAdds > 0);
      Statistics.label("queue full").collect(rig.noSpace > 0);
    }
  }

  /**
   * The same with both sides first moved to just below the 2^16 wrap by plain cycles, so that the
   * random part crosses it.
   */
  @Property(tries = 40)
  void driverAndDeviceAgreeAcrossTheIndexWrap(
      @ForAll("smallSizes") int size,
      @ForAll boolean eventIdx,
      @ForAll boolean indirect,
      @ForAll("busBases") long busBase,
      @ForAll("nearWrap") int warmUp,
      @ForAll("ops") List<Op> ops) {
    try (Arena arena = Arena.ofConfined()) {
      Rig rig = new Rig(arena, size, eventIdx, indirect, busBase, true);
      rig.cycles(warmUp);
      for (Op op : ops) {
        rig.apply(op);
      }
      rig.drainAndCheckQuiescent();
      assertThat(rig.availCounter).isGreaterThanOrEqualTo(warmUp);
    }
  }

  @Provide
  Arbitrary<Integer> sizes() {
    return Arbitraries.of(1, 2, 4, 8, 16, 256);
  }

  @Provide
  Arbitrary<Integer> smallSizes() {
    return Arbitraries.of(1, 2, 4, 16);
  }

  @Provide
  Arbitrary<Long> busBases() {
    return Arbitraries.of(0L, 0x8000_0000L, 0x7FFF_0000_0000_0000L);
  }

  @Provide
  Arbitrary<Integer> nearWrap() {
    return Arbitraries.integers().between(65536 - 200, 65536 + 5);
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Kind> kinds = Arbitraries.frequency(
        Tuple.of(8, Kind.ADD),
        Tuple.of(6, Kind.TAKE),
        Tuple.of(6, Kind.COMPLETE),
        Tuple.of(4, Kind.PUBLISH),
        Tuple.of(5, Kind.POLL),
        Tuple.of(3, Kind.KICK),
        Tuple.of(3, Kind.NEED_NOTIFY),
        Tuple.of(1, Kind.DEV_ENABLE),
        Tuple.of(1, Kind.DEV_DISABLE),
        Tuple.of(1, Kind.DRV_ENABLE),
        Tuple.of(1, Kind.DRV_DISABLE),
        Tuple.of(1, Kind.ABANDON));
    Arbitrary<Integer> any = Arbitraries.integers().between(0, Integer.MAX_VALUE);
    Arbitrary<Op> op = Combinators.combine(kinds, any, any, any).as(Op::new);
    return op.list().ofMinSize(20).ofMaxSize(400).withSizeDistribution(RandomDistribution.uniform());
  }

  // ---------------------------------------------------------------------------------------------
  // Deterministic examples.

  /**
   * 70 000 add/take/complete/poll cycles on a size-4 queue: both sides' indices wrap past 65 535, on a
   * /dev/shm file mapped twice (driver and device at different virtual addresses, same bus base).
   * With EVENT_IDX and nobody re-arming, avail_event = used_event = 0 for the whole run: exactly two
   * kicks and two interrupts, after the 1st and the 65 537th buffer (FACTS §1.4).
   */
  @Example
  void seventyThousandCyclesWithEventIdxNeverReArmed() throws IOException {
    wrapRun(true, false);
  }

  /** The same with EVENT_IDX and both sides re-arming every time: every batch notifies. */
  @Example
  void seventyThousandCyclesWithEventIdxReArmedEveryTime() throws IOException {
    wrapRun(true, true);
  }

  /** Flags mode, never suppressed: every batch notifies. */
  @Example
  void seventyThousandCyclesInFlagsMode() throws IOException {
    wrapRun(false, false);
  }

  private void wrapRun(boolean eventIdx, boolean reArm) throws IOException {
    int size = 4;
    int cycles = 70_000;
    long busBase = 0x4000_0000L;
    Path file = ShmFiles.unique("driver-device-wrap");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        Arena arena = Arena.ofConfined()) {
      long bytes = 0x4000;
      MemorySegment driverMap = ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
      MemorySegment deviceMap = ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
      assertThat(driverMap.address()).isNotEqualTo(deviceMap.address());
      QueueGeometry g = QueueGeometry.legacy(busBase, size, 4096);
      long indirectArea = busBase + 0x2000;
      SplitQueueDriver driver =
          SplitQueueDriver.create("q", g, Window.of(driverMap, busBase), eventIdx, indirectArea, 4);
      Vringh device = Vringh.attach("q", g, Window.of(deviceMap, busBase), eventIdx, true);
      long bufOff = 0x3000;
      List<Integer> kicks = new ArrayList<>();
      List<Integer> interrupts = new ArrayList<>();
      byte[] pulled = new byte[64];
      MemorySegment pulledSeg = MemorySegment.ofArray(pulled);
      MemorySegment reply = MemorySegment.ofArray(new byte[64]);
      for (int n = 1; n <= cycles; n++) {
        byte tag = (byte) n;
        byte ntag = (byte) (n >>> 8);
        // Driver: a readable 8-byte request and a writable 16-byte reply buffer, direct or indirect.
        driverMap.set(ValueLayout.JAVA_INT_UNALIGNED, bufOff, n);
        driverMap.set(ValueLayout.JAVA_INT_UNALIGNED, bufOff + 4, ~n);
        long[] addrs = {busBase + bufOff, busBase + bufOff + 0x100};
        int[] lens = {8, 16};
        int head = (n % 3 == 0)
            ? driver.addIndirect(addrs, lens, 1, 1, n)
            : driver.addChain(addrs, lens, 1, 1, n);
        assertThat(head).as("cycle %d", n).isNotNegative();
        if (driver.kickPrepare()) {
          kicks.add(n);
        }
        // Device.
        Chain c = device.newChain();
        assertThat(device.getAvail(c)).as("cycle %d %s", n, device).isEqualTo(Vringh.GOT_CHAIN);
        assertThat(c.head()).isEqualTo(head);
        assertThat(c.pull(pulledSeg, 0, 64)).isEqualTo(8);
        assertThat(pulledSeg.get(ValueLayout.JAVA_INT_UNALIGNED, 0)).isEqualTo(n);
        assertThat(pulledSeg.get(ValueLayout.JAVA_INT_UNALIGNED, 4)).isEqualTo(~n);
        assertThat(device.getAvail(device.newChain())).isEqualTo(Vringh.EMPTY);
        if (reArm) {
          assertThat(device.enableNotify()).isFalse();
        }
        reply.fill(tag);
        reply.set(ValueLayout.JAVA_BYTE, 1, ntag);
        int len = 1 + n % 16;
        assertThat(c.push(reply, 0, len)).isEqualTo(len);
        device.addUsed(c.head(), len);
        device.publishUsed();
        if (device.needNotify()) {
          interrupts.add(n);
        }
        // Driver reclaims.
        assertThat(driver.pollUsed()).as("cycle %d %s", n, driver).isEqualTo(n);
        assertThat(driver.lastUsedLen()).isEqualTo(len);
        assertThat(driver.lastUsedHead()).isEqualTo(head);
        assertThat(driverMap.get(ValueLayout.JAVA_BYTE, bufOff + 0x100)).isEqualTo(tag);
        if (len > 1) {
          assertThat(driverMap.get(ValueLayout.JAVA_BYTE, bufOff + 0x100 + 1)).isEqualTo(ntag);
        }
        assertThat(driver.pollUsed()).isEqualTo(SplitQueueDriver.EMPTY);
        if (reArm) {
          assertThat(driver.enableCallbacks()).isFalse();
        }
        assertThat(driver.numFree()).isEqualTo(size);
      }
      assertThat(driver.isBroken()).isFalse();
      assertThat(device.isBroken()).isFalse();
      if (eventIdx && !reArm) {
        assertThat(kicks).containsExactly(1, 65537);
        assertThat(interrupts).containsExactly(1, 65537);
      } else {
        assertThat(kicks).hasSize(cycles);
        assertThat(interrupts).hasSize(cycles);
      }
      // Both sides agree on the wrapped indices.
      var rings = g.resolve("view", Window.of(driverMap, busBase));
      assertThat(rings.avail().idxAcquire()).isEqualTo(cycles & 0xFFFF);
      assertThat(rings.used().idxAcquire()).isEqualTo(cycles & 0xFFFF);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * needNotify decides on what the driver can see: entries added but not yet published must not be
   * counted, or the notification for them would be spent before they are visible (lost wake-up).
   */
  @Example
  void needNotifyCountsOnlyPublishedEntries() {
    for (boolean eventIdx : new boolean[] {false, true}) {
      try (Arena arena = Arena.ofConfined()) {
        Rig rig = new Rig(arena, 4, eventIdx, false, 0x8000_0000L, true);
        rig.apply(new Op(Kind.ADD, -1, 0, 0));
        rig.apply(new Op(Kind.TAKE, 0, 0, 0));
        Rec rec = rig.held.getFirst();
        rig.device.addUsed(rec.head, 0);
        assertThat(rig.device.needNotify()).as("nothing published yet (eventIdx %s)", eventIdx).isFalse();
        rig.device.publishUsed();
        assertThat(rig.device.needNotify()).as("now published (eventIdx %s)", eventIdx).isTrue();
        assertThat(rig.driver.pollUsed()).isEqualTo(rec.cookie);
      }
    }
  }

  /** Notification hand-shakes, spelled out. */
  @Example
  void notificationHandshakes() {
    for (boolean eventIdx : new boolean[] {false, true}) {
      try (Arena arena = Arena.ofConfined()) {
        Rig rig = new Rig(arena, 8, eventIdx, false, 0, false);
        SplitQueueDriver d = rig.driver;
        Vringh v = rig.device;
        // Device sleeps: enableNotify sees nothing pending; the next add must kick.
        assertThat(v.enableNotify()).isFalse();
        rig.apply(new Op(Kind.ADD, -1, 0, 0));
        assertThat(d.kickPrepare()).as("eventIdx %s", eventIdx).isTrue();
        // Device awake and busy: in flags mode disableNotify suppresses the next kick.
        v.disableNotify();
        rig.apply(new Op(Kind.ADD, -1, 0, 0));
        if (!eventIdx) {
          assertThat(d.kickPrepare()).isFalse();
        } else {
          // avail_event still where enableNotify put it (already passed): no kick either.
          assertThat(d.kickPrepare()).isFalse();
        }
        // enableNotify with chains pending says so instead of sleeping.
        assertThat(v.enableNotify()).isTrue();

        // Symmetric: driver sleeps, the next completion must interrupt.
        rig.apply(new Op(Kind.TAKE, 0, 0, 0));
        rig.apply(new Op(Kind.TAKE, 0, 0, 0));
        assertThat(d.enableCallbacks()).isFalse();
        rig.device.addUsed(rig.held.getFirst().head, 0);
        rig.device.publishUsed();
        assertThat(v.needNotify()).as("eventIdx %s", eventIdx).isTrue();
        d.disableCallbacks();
        rig.device.addUsed(rig.held.get(1).head, 0);
        rig.device.publishUsed();
        assertThat(v.needNotify()).isFalse();
        assertThat(d.enableCallbacks()).as("chains arrived while disabled").isTrue();
      }
    }
  }

  @Example
  void completingAChainNotHeldIsRefused() {
    try (Arena arena = Arena.ofConfined()) {
      Rig rig = new Rig(arena, 4, false, false, 0, true);
      assertThatThrownBy(() -> rig.device.addUsed(0, 0)).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> rig.device.addUsed(4, 0)).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> rig.device.addUsed(-1, 0)).isInstanceOf(IllegalStateException.class);
      assertThat(rig.device.isBroken()).isFalse();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The rig: both sides on one segment, plus the model.

  /** A chain as the model knows it. */
  static final class Rec {
    final int cookie;
    final int group;
    final boolean indirect;
    final int readable;
    final int writable;
    final long[] addrs;
    final int[] lens;
    final byte[] payload;
    int head = -1;
    long usedLen;
    byte[] reply;
    Chain chain;

    Rec(int cookie, int group, boolean indirect, int readable, int writable, long[] addrs, int[] lens, byte[] payload) {
      this.cookie = cookie;
      this.group = group;
      this.indirect = indirect;
      this.readable = readable;
      this.writable = writable;
      this.addrs = addrs;
      this.lens = lens;
      this.payload = payload;
    }

    int descs() {
      return indirect ? 1 : readable + writable;
    }

    long capacity() {
      long c = 0;
      for (int k = readable; k < readable + writable; k++) {
        c += lens[k];
      }
      return c;
    }

    @Override
    public String toString() {
      return "Rec[cookie " + cookie + ", head " + head + ", " + readable + "r+" + writable + "w" + (indirect ? " ind" : "")
          + "]";
    }
  }

  static final class Rig {
    static final int MAX_BUFS = 8;
    static final int BUF_BYTES = 64;
    static final byte MARKER = (byte) 0xEE;

    final int size;
    final boolean eventIdx;
    final boolean indirectOn;
    final long busBase;
    final MemorySegment mem;
    final long dataOff;
    final SplitQueueDriver driver;
    final Vringh device;
    final QueueGeometry.Resolved view;

    // Model.
    final Deque<Rec> availFifo = new ArrayDeque<>();
    final List<Rec> held = new ArrayList<>();
    final Deque<Rec> completed = new ArrayDeque<>();
    final Deque<Integer> freeGroups = new ArrayDeque<>();
    int outstanding;
    int usedDescs;
    long availCounter;
    long takenCounter;
    long usedCounter;
    long publishedCounter;
    long polledCounter;
    long kickedAt;
    long notifiedAt;
    boolean deviceSuppressed; // flags mode: used.flags = NO_NOTIFY
    int availEvent; // EVENT_IDX: what the device last wrote
    boolean driverSuppressed; // flags mode: avail.flags = NO_INTERRUPT
    int usedEvent; // EVENT_IDX: what the driver last wrote
    boolean deviceAsleep; // enableNotify returned false and no kick since
    long deviceSleptAt; // availCounter when it went to sleep
    boolean driverAsleep; // enableCallbacks returned false and no interrupt since
    long driverSleptAt; // publishedCounter when it went to sleep
    Rec lastTaken;
    int nextCookie = 1;
    // Coverage counters.
    int suppressedKicks;
    int suppressedNotifies;
    int wakeUpsChecked;
    int outOfOrder;
    int abandons;
    int indirectAdds;
    int noSpace;
    int step;

    Rig(Arena arena, int size, boolean eventIdx, boolean indirect, long busBase, boolean legacy) {
      this.size = size;
      this.eventIdx = eventIdx;
      this.indirectOn = indirect;
      this.busBase = busBase;
      QueueGeometry g = legacy ? QueueGeometry.legacy(busBase, size, 4096) : QueueGeometry.compact(busBase, size);
      long ringBytes = g.usedAddr() - busBase + SplitRingLayout.usedRingBytes(size);
      long indirectOff = SplitRingLayout.alignUp(ringBytes, 4096);
      long indirectBytes = (long) size * MAX_BUFS * 16;
      this.dataOff = SplitRingLayout.alignUp(indirectOff + indirectBytes, 4096);
      long total = dataOff + (long) size * MAX_BUFS * BUF_BYTES;
      this.mem = arena.allocate(total, 4096);
      mem.fill((byte) 0x77);
      Window w = Window.of(mem, busBase);
      this.driver = SplitQueueDriver.create("q", g, w, eventIdx, busBase + indirectOff, indirect ? MAX_BUFS : 0);
      this.device = Vringh.attach("q", g, w, eventIdx, indirect);
      this.view = g.resolve("view", w);
      for (int i = 0; i < size; i++) {
        freeGroups.add(i);
      }
    }

    String where(Op op) {
      return "step " + step + " " + op + " size " + size + " eventIdx " + eventIdx + " indirect " + indirectOn
          + " " + driver + " " + device;
    }

    void apply(Op op) {
      step++;
      String at = where(op);
      switch (op.kind()) {
        case ADD -> add(op, at);
        case TAKE -> take(at);
        case COMPLETE -> complete(op, at);
        case PUBLISH -> {
          device.publishUsed();
          publishedCounter = usedCounter;
        }
        case POLL -> poll(at);
        case KICK -> kick(at);
        case NEED_NOTIFY -> needNotify(at);
        case DEV_ENABLE -> {
          boolean pending = device.enableNotify();
          assertThat(pending).as(at).isEqualTo(!availFifo.isEmpty());
          deviceSuppressed = false;
          availEvent = (int) (takenCounter & 0xFFFF);
          if (eventIdx) {
            assertThat(view.used().availEvent()).as(at).isEqualTo(availEvent);
          } else {
            assertThat(view.used().flags()).as(at).isZero();
          }
          deviceAsleep = !pending;
          deviceSleptAt = availCounter;
        }
        case DEV_DISABLE -> {
          device.disableNotify();
          if (!eventIdx) {
            deviceSuppressed = true;
            deviceAsleep = false;
            assertThat(view.used().flags()).as(at).isEqualTo(SplitRingLayout.USED_F_NO_NOTIFY);
          } else {
            assertThat(view.used().flags()).as(at).isZero();
          }
        }
        case DRV_ENABLE -> {
          boolean pending = driver.enableCallbacks();
          assertThat(pending).as(at).isEqualTo(publishedCounter != polledCounter);
          driverSuppressed = false;
          usedEvent = (int) (polledCounter & 0xFFFF);
          if (eventIdx) {
            assertThat(view.avail().usedEvent()).as(at).isEqualTo(usedEvent);
          } else {
            assertThat(view.avail().flags()).as(at).isZero();
          }
          driverAsleep = !pending;
          driverSleptAt = publishedCounter;
        }
        case DRV_DISABLE -> {
          driver.disableCallbacks();
          if (!eventIdx) {
            driverSuppressed = true;
            driverAsleep = false;
            assertThat(view.avail().flags()).as(at).isEqualTo(SplitRingLayout.AVAIL_F_NO_INTERRUPT);
          } else {
            assertThat(view.avail().flags()).as(at).isZero();
          }
        }
        case ABANDON -> abandon(at);
      }
      checkInvariants(at);
    }

    /** ADD with a negative {@code a}: one readable and one writable buffer, direct. */
    void add(Op op, String at) {
      Random rnd = new Random(op.a());
      int readable = op.a() < 0 ? 1 : rnd.nextInt(5);
      int writable = op.a() < 0 ? 1 : rnd.nextInt(5);
      if (readable + writable == 0) {
        if (rnd.nextBoolean()) {
          readable = 1;
        } else {
          writable = 1;
        }
      }
      int total = readable + writable;
      // A chain must not be longer than the queue (spec 2.7.5.3.1), indirect or not.
      boolean indirect = op.a() >= 0 && indirectOn && rnd.nextInt(3) == 0 && total <= size;
      int needed = indirect ? 1 : total;
      int cookie = nextCookie;
      if (size - usedDescs < needed) {
        int r = indirect
            ? driver.addIndirect(new long[total], new int[total], readable, writable, cookie)
            : driver.addChain(new long[total], new int[total], readable, writable, cookie);
        assertThat(r).as(at + " expected NO_SPACE").isEqualTo(SplitQueueDriver.NO_SPACE);
        noSpace++;
        return;
      }
      nextCookie++;
      int group = freeGroups.pop();
      long[] addrs = new long[total];
      int[] lens = new int[total];
      ByteArrayBuilder payload = new ByteArrayBuilder();
      for (int k = 0; k < total; k++) {
        long off = dataOff + ((long) group * MAX_BUFS + k) * BUF_BYTES;
        addrs[k] = busBase + off;
        lens[k] = rnd.nextInt(8) == 0 ? 0 : 1 + rnd.nextInt(BUF_BYTES);
        if (k < readable) {
          for (int j = 0; j < lens[k]; j++) {
            byte b = (byte) rnd.nextInt(256);
            mem.set(ValueLayout.JAVA_BYTE, off + j, b);
            payload.add(b);
          }
        } else {
          mem.asSlice(off, BUF_BYTES).fill(MARKER);
        }
      }
      Rec rec = new Rec(cookie, group, indirect, readable, writable, addrs, lens, payload.toArray());
      int head = indirect
          ? driver.addIndirect(addrs, lens, readable, writable, cookie)
          : driver.addChain(addrs, lens, readable, writable, cookie);
      assertThat(head).as(at).isBetween(0, size - 1);
      rec.head = head;
      if (indirect) {
        indirectAdds++;
      }
      availFifo.addLast(rec);
      outstanding++;
      usedDescs += rec.descs();
      availCounter++;
    }

    void take(String at) {
      assertThat(device.pendingAvail()).as(at).isEqualTo(availFifo.size());
      Chain c = device.newChain();
      int r = device.getAvail(c);
      if (availFifo.isEmpty()) {
        assertThat(r).as(at).isEqualTo(Vringh.EMPTY);
        return;
      }
      assertThat(r).as(at).isEqualTo(Vringh.GOT_CHAIN);
      Rec rec = availFifo.removeFirst();
      assertThat(c.head()).as(at + " " + rec).isEqualTo(rec.head);
      assertThat(c.readableCount()).as(at).isEqualTo(rec.readable);
      assertThat(c.writableCount()).as(at).isEqualTo(rec.writable);
      for (int k = 0; k < rec.readable; k++) {
        assertThat(c.readableOffset(k)).as(at).isEqualTo(rec.addrs[k] - busBase);
        assertThat(c.readableLength(k)).as(at).isEqualTo(rec.lens[k]);
      }
      for (int k = 0; k < rec.writable; k++) {
        assertThat(c.writableOffset(k)).as(at).isEqualTo(rec.addrs[rec.readable + k] - busBase);
        assertThat(c.writableLength(k)).as(at).isEqualTo(rec.lens[rec.readable + k]);
      }
      assertThat(c.writableBytes()).as(at).isEqualTo(rec.capacity());
      byte[] got = new byte[rec.payload.length];
      assertThat(c.pull(MemorySegment.ofArray(got), 0, Long.MAX_VALUE)).as(at).isEqualTo(rec.payload.length);
      assertThat(got).as(at + " readable bytes").isEqualTo(rec.payload);
      rec.chain = c;
      held.add(rec);
      takenCounter++;
      lastTaken = rec;
    }

    void complete(Op op, String at) {
      if (held.isEmpty()) {
        return;
      }
      int pick = op.a() % held.size();
      if (pick != 0) {
        outOfOrder++;
      }
      Rec rec = held.remove(pick);
      long cap = rec.capacity();
      int len;
      if (cap == 0) {
        len = op.c() % 2 == 0 ? 0 : 512; // OpenAMP reports the buffer length on send chains
      } else {
        len = (int) (op.b() % (cap + 1));
      }
      byte[] reply = new byte[cap == 0 ? 0 : len];
      new Random(op.c()).nextBytes(reply);
      assertThat(rec.chain.push(MemorySegment.ofArray(reply), 0, reply.length)).as(at).isEqualTo(reply.length);
      rec.reply = reply;
      rec.usedLen = len;
      device.addUsed(rec.head, len);
      completed.addLast(rec);
      usedCounter++;
      if (lastTaken == rec) {
        lastTaken = null;
      }
    }

    void poll(String at) {
      assertThat(driver.pendingUsed()).as(at).isEqualTo((int) (publishedCounter - polledCounter));
      int r = driver.pollUsed();
      if (publishedCounter == polledCounter) {
        assertThat(r).as(at).isEqualTo(SplitQueueDriver.EMPTY);
        return;
      }
      Rec rec = completed.removeFirst();
      assertThat(r).as(at + " expected " + rec).isEqualTo(rec.cookie);
      assertThat(driver.lastUsedHead()).as(at).isEqualTo(rec.head);
      assertThat(driver.lastUsedLen()).as(at).isEqualTo(rec.capacity() == 0 ? 0 : rec.usedLen);
      // The driver sees the device's bytes in its writable buffers, in order, and nothing beyond len.
      int done = 0;
      for (int k = rec.readable; k < rec.readable + rec.writable; k++) {
        long off = rec.addrs[k] - busBase;
        for (int j = 0; j < BUF_BYTES; j++) {
          byte b = mem.get(ValueLayout.JAVA_BYTE, off + j);
          if (j < rec.lens[k] && done < rec.reply.length) {
            assertThat(b).as(at + " reply byte " + done).isEqualTo(rec.reply[done]);
            done++;
          } else {
            assertThat(b).as(at + " untouched beyond len").isEqualTo(MARKER);
          }
        }
      }
      assertThat(done).isEqualTo(rec.reply.length);
      freeGroups.push(rec.group);
      outstanding--;
      usedDescs -= rec.descs();
      polledCounter++;
    }

    void kick(String at) {
      boolean k = driver.kickPrepare();
      boolean expected;
      if (availCounter == kickedAt) {
        expected = false;
      } else if (eventIdx) {
        expected = crosses(availEvent, kickedAt, availCounter);
      } else {
        expected = !deviceSuppressed;
      }
      if (deviceAsleep && availCounter > deviceSleptAt) {
        wakeUpsChecked++;
        assertThat(k).as(at + ": device slept after enableNotify() == false, the next add must kick").isTrue();
      }
      assertThat(k).as(at).isEqualTo(expected);
      if (!k && availCounter != kickedAt) {
        suppressedKicks++;
      }
      kickedAt = availCounter;
      if (k) {
        deviceAsleep = false;
      }
    }

    void needNotify(String at) {
      boolean n = device.needNotify();
      boolean expected;
      if (publishedCounter == notifiedAt) {
        expected = false;
      } else if (eventIdx) {
        expected = crosses(usedEvent, notifiedAt, publishedCounter);
      } else {
        expected = !driverSuppressed;
      }
      if (driverAsleep && publishedCounter > driverSleptAt) {
        wakeUpsChecked++;
        assertThat(n).as(at + ": driver slept after enableCallbacks() == false, the next completion must notify")
            .isTrue();
      }
      assertThat(n).as(at).isEqualTo(expected);
      if (!n && publishedCounter != notifiedAt) {
        suppressedNotifies++;
      }
      notifiedAt = publishedCounter;
      if (n) {
        driverAsleep = false;
      }
    }

    /** Reference of vring_need_event with unbounded counters: some k in [from, to) is ≡ event mod 2^16. */
    static boolean crosses(int event, long from, long to) {
      long first = from + Math.floorMod(event - from, 1L << 16);
      return first < to;
    }

    void abandon(String at) {
      Rec rec = lastTaken;
      if (rec == null) {
        return;
      }
      device.abandon(rec.chain);
      abandons++;
      held.remove(rec);
      availFifo.addFirst(rec);
      takenCounter--;
      lastTaken = null;
    }

    void checkInvariants(String at) {
      assertThat(driver.isBroken()).as(at).isFalse();
      assertThat(device.isBroken()).as(at).isFalse();
      assertThat(driver.numFree()).as(at + " numFree").isEqualTo(size - usedDescs);
      assertThat(driver.outstanding()).as(at).isEqualTo(outstanding);
      assertThat(device.heldCount()).as(at).isEqualTo(held.size());
      assertThat(outstanding).isEqualTo(availFifo.size() + held.size() + completed.size());
      assertThat(availCounter - takenCounter).isEqualTo(availFifo.size());
      assertThat(view.avail().idxAcquire()).as(at).isEqualTo((int) (availCounter & 0xFFFF));
      assertThat(view.used().idxAcquire()).as(at).isEqualTo((int) (publishedCounter & 0xFFFF));
    }

    /** Everything taken, completed in order, published and reclaimed: the queue is back to empty. */
    void drainAndCheckQuiescent() {
      Op complete = new Op(Kind.COMPLETE, 0, 7, 3);
      while (!availFifo.isEmpty() || !held.isEmpty() || publishedCounter != polledCounter
          || usedCounter != publishedCounter) {
        if (!availFifo.isEmpty()) {
          apply(new Op(Kind.TAKE, 0, 0, 0));
        } else if (!held.isEmpty()) {
          apply(complete);
        } else if (usedCounter != publishedCounter) {
          apply(new Op(Kind.PUBLISH, 0, 0, 0));
        } else {
          apply(new Op(Kind.POLL, 0, 0, 0));
        }
      }
      assertThat(driver.numFree()).isEqualTo(size);
      assertThat(driver.outstanding()).isZero();
      assertThat(device.heldCount()).isZero();
      assertThat(device.pendingAvail()).isZero();
      assertThat(driver.pollUsed()).isEqualTo(SplitQueueDriver.EMPTY);
      assertThat(device.getAvail(device.newChain())).isEqualTo(Vringh.EMPTY);
      assertThat(freeGroups).hasSize(size);
      assertThat(driver.isBroken()).isFalse();
      assertThat(device.isBroken()).isFalse();
    }

    /**
     * {@code n} plain cycles (add one writable buffer, kick decision, take, complete, publish,
     * notify decision, poll) on a fresh rig, checked with cheap comparisons, then the model is
     * brought up to date. Moves both sides' indices to wherever the test wants them.
     */
    void cycles(int n) {
      if (outstanding != 0 || availCounter != 0) {
        throw new IllegalStateException("warm-up runs on a fresh rig");
      }
      long addr = busBase + dataOff;
      Chain c = device.newChain();
      for (int i = 0; i < n; i++) {
        int head = driver.addBuffer(addr, 8, true, i);
        boolean kick = driver.kickPrepare();
        boolean kickExpected = eventIdx ? crosses(availEvent, i, i + 1) : !deviceSuppressed;
        if (head < 0 || kick != kickExpected || device.getAvail(c) != Vringh.GOT_CHAIN || c.head() != head) {
          throw new AssertionError("warm-up cycle " + i + ": head " + head + " kick " + kick + " " + driver + " " + device);
        }
        device.addUsed(head, 3);
        device.publishUsed();
        boolean notify = device.needNotify();
        boolean notifyExpected = eventIdx ? crosses(usedEvent, i, i + 1) : !driverSuppressed;
        if (notify != notifyExpected || driver.pollUsed() != i || driver.lastUsedLen() != 3) {
          throw new AssertionError("warm-up cycle " + i + ": notify " + notify + " " + driver + " " + device);
        }
      }
      availCounter = takenCounter = usedCounter = publishedCounter = polledCounter = n;
      kickedAt = notifiedAt = n;
      deviceAsleep = driverAsleep = false;
      checkInvariants("after " + n + " warm-up cycles");
    }
  }

  /** A growable byte array. */
  static final class ByteArrayBuilder {
    private byte[] bytes = new byte[64];
    private int n;

    void add(byte b) {
      if (n == bytes.length) {
        bytes = Arrays.copyOf(bytes, n * 2);
      }
      bytes[n++] = b;
    }

    byte[] toArray() {
      return Arrays.copyOf(bytes, n);
    }
  }
}
