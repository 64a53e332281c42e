package io.reactorvirtio.vhost.internal.vringh;

import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_F_INDIRECT;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_F_NEXT;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_F_WRITE;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_SIZE;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.USED_F_NO_NOTIFY;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.reactorvirtio.virtio.RingViolation;
import io.reactorvirtio.virtio.internal.ring.DescriptorTable;
import io.reactorvirtio.virtio.internal.ring.QueueGeometry;
import io.reactorvirtio.virtio.internal.ring.SplitRingLayout;
import io.reactorvirtio.virtio.memory.Window;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Jazzer fuzzing of {@link Vringh} on hostile ring memory (STYLE.md "Tests / Fuzz"; vm-virtio's
 * {@code fuzz/} and Linux vringh's rules): the fuzzer writes the descriptor table, the available
 * ring and up to four indirect tables, picks the queue size, EVENT_IDX and INDIRECT_DESC, and then
 * a bounded sequence of device operations interleaved with further driver writes. Whatever it
 * writes, the device side must:
 *
 * <ul>
 *   <li>answer {@code getAvail} with {@link Vringh#GOT_CHAIN}, {@link Vringh#EMPTY} or {@link
 *       Vringh#BROKEN} only, and never throw (nor anything else it is asked);
 *   <li>stay {@code BROKEN} once broken, whatever the driver writes afterwards;
 *   <li>hand out chains of at most the queue size, every buffer inside the window, readable
 *       buffers before writable ones, and exactly the buffers the descriptors describe (re-walked
 *       by a simple reference walker once Vringh has accepted the chain);
 *   <li>write nothing but the used ring (checked byte for byte against a shadow of the window) and
 *       nothing at all outside the window (canary bytes on both sides of the window, which is a
 *       slice of a larger native segment);
 *   <li>publish exactly the used elements it was given, at the used index the driver expects.
 * </ul>
 *
 * <p>The input is read as raw bytes ({@link FuzzedDataProvider#consumeRemainingAsBytes()}) by a
 * small little-endian reader that yields zeros when exhausted, so seeds can be written
 * byte-exact by {@link VringhFuzzSeedsTest}, which also checks what each seed does. Format, in
 * reading order (u8/u16/u32/u64 little-endian):
 *
 * <pre>
 * header   u8 sizeExp (size = 2^(sizeExp % 7), 1..64)   u8 config (bit0 EVENT_IDX, bit1 INDIRECT_DESC)
 *          u16 used.idx at attach (= the device's starting avail index)
 *          u8 pending: &lt; 0xF0 -&gt; avail.idx = start + pending % (size + 1); else u16 raw avail.idx
 *          u8 flags:   &lt; 0xF0 -&gt; avail.flags = flags &amp; 1;            else u16 raw avail.flags
 *          u16 used_event
 * avail    size x head: u8 h &lt; 0xF8 -&gt; h % size; else u16 raw
 * desc     size x descriptor (below, next limit = size)
 * tables   4 x { u8 n; (n % 65) x descriptor (next limit = 64) }   table t at bus TABLES + 0x400 t
 * steps    u8 s: 8 + s operations: u8 op % 8 =
 *            0,1 getAvail, then u8 a: a == 0xAB abandons the chain if one was taken
 *            2   addUsed(held[u8 % held], u32 len)      (skipped when nothing is held)
 *            3   publishUsed   4 needNotify   5 enableNotify   6 disableNotify
 *            7   driver writes: u8 k % 4 = 0 make u8 % (size + 1) more heads available (as avail),
 *                1 rewrite desc[u8 % size], 2 avail.flags = u16, 3 used_event = u16
 * descriptor  addr: u8 m % 8 = 0..3 data (BUS + DATA + u16 % DATA_BYTES), 4 table (u8 t: table t % 4,
 *                   +8 if t &gt;= 0x80), 5 ring area (BUS + u16 % 0x800), 6 edge (u8 e: e % 4 = 0 end - e/4,
 *                   1 end + e/4, 2 BUS - 1 - e/4, 3 2^64 - 1 - e/4), 7 raw u64
 *             len:  u8 l % 8 = 0..3 u16 % 512, 4 zero, 5 to the window end (-1, 0, +1 by l / 8 % 3),
 *                   6 16 x (u8 % 65), 7 raw u32
 *             flags: u8 f &lt; 0x80 -&gt; f &amp; 7 (NEXT, WRITE, INDIRECT); else u16 raw
 *             next:  u8 n &lt; 0xF0 -&gt; n % limit; else u16 raw
 * </pre>
 */
class VringhFuzzTest {

  /** Regression mode (a plain {@code mvn test}) replays the seeds; {@code JAZZER_FUZZ=1} fuzzes. */
  @FuzzTest(maxDuration = "60s")
  void getAvailOnHostileRing(FuzzedDataProvider data) {
    HostileRing.run(data.consumeRemainingAsBytes());
  }

  // ---------------------------------------------------------------------------------------------
  // The harness, shared with VringhFuzzSeedsTest.

  /** What one input did (for the seed tests; the fuzzer only cares that nothing failed). */
  record Summary(int size, int chains, int empties, int brokenResults, int completed, int published,
      @Nullable RingViolation violation) {}

  /** Little-endian reader over the input that yields zeros once exhausted. */
  static final class Reader {
    private final byte[] in;
    private int pos;

    Reader(byte[] in) {
      this.in = in;
    }

    int u8() {
      return pos < in.length ? in[pos++] & 0xFF : 0;
    }

    int u16() {
      return u8() | u8() << 8;
    }

    long u32() {
      return Integer.toUnsignedLong(u16() | u16() << 16);
    }

    long u64() {
      return u32() | u32() << 32;
    }
  }

  static final class HostileRing {

    static final long BUS = 0x4000_0000L;
    static final long WINDOW_BYTES = 0x4000;
    static final long PAD = 256;
    static final byte CANARY = (byte) 0xA5;
    static final long TABLES = 0x800;
    static final long TABLE_BYTES = 0x400;
    static final int TABLE_COUNT = 4;
    static final int TABLE_ENTRIES = (int) (TABLE_BYTES / DESC_SIZE);
    static final long DATA = 0x1800;
    static final long DATA_BYTES = WINDOW_BYTES - DATA;

    private final Reader in;
    private final MemorySegment whole;
    private final MemorySegment window;
    private final MemorySegment shadow;
    private final Window win;
    private final int size;
    private final int mask;
    private final QueueGeometry.Resolved rings;
    private final long usedOffset;
    private final long usedBytes;
    private int driverAvailIdx;

    private HostileRing(Reader in, Arena arena, int size) {
      this.in = in;
      this.size = size;
      this.mask = size - 1;
      whole = arena.allocate(PAD + WINDOW_BYTES + PAD, 4096);
      whole.fill(CANARY);
      window = whole.asSlice(PAD, WINDOW_BYTES);
      window.fill((byte) 0);
      shadow = arena.allocate(WINDOW_BYTES);
      win = Window.of(window, BUS);
      QueueGeometry geometry = QueueGeometry.compact(BUS, size);
      rings = geometry.resolve("driver-view", win);
      usedOffset = geometry.usedAddr() - BUS;
      usedBytes = SplitRingLayout.usedRingBytes(size);
    }

    /** Runs one input; throws {@link AssertionError} (or whatever Vringh threw) on a finding. */
    static Summary run(byte[] input) {
      Reader in = new Reader(input);
      int size = 1 << (in.u8() % 7);
      try (Arena arena = Arena.ofConfined()) {
        return new HostileRing(in, arena, size).go();
      }
    }

    private Summary go() {
      int config = in.u8();
      boolean eventIdx = (config & 1) != 0;
      boolean indirect = (config & 2) != 0;
      int usedStart = in.u16();
      rings.used().publishIdx(usedStart);
      int p = in.u8();
      driverAvailIdx = p < 0xF0 ? (usedStart + p % (size + 1)) & 0xFFFF : in.u16();
      int f = in.u8();
      rings.avail().setFlags(f < 0xF0 ? f & 1 : in.u16());
      rings.avail().setUsedEvent(in.u16());
      int start = usedStart;
      for (int slot = 0; slot < size; slot++) {
        rings.avail().setEntry((start + slot) & mask, head());
      }
      for (int i = 0; i < size; i++) {
        descriptor(rings.desc(), i, size);
      }
      for (int t = 0; t < TABLE_COUNT; t++) {
        DescriptorTable table = new DescriptorTable(window.asSlice(TABLES + t * TABLE_BYTES, TABLE_BYTES));
        int n = in.u8() % (TABLE_ENTRIES + 1);
        for (int i = 0; i < n; i++) {
          descriptor(table, i, TABLE_ENTRIES);
        }
      }
      rings.avail().publishIdx(driverAvailIdx);
      snapshot();

      Vringh v = Vringh.attach("fuzz", rings.geometry(), win, eventIdx, indirect);
      check(v.size() == size, "size");
      Chain chain = v.newChain();
      List<Integer> held = new ArrayList<>();
      boolean broken = false;
      int chains = 0;
      int empties = 0;
      int brokenResults = 0;
      int completed = 0;
      int published = 0;
      int usedShadow = usedStart;
      int publishedIdx = usedStart;
      long[] usedExpected = new long[size]; // (head << 32 | len) per slot, since the last publish
      boolean[] usedWritten = new boolean[size];

      int steps = 8 + in.u8();
      for (int step = 0; step < steps; step++) {
        int op = in.u8() % 8;
        switch (op) {
          case 0, 1 -> {
            int r = v.getAvail(chain);
            boolean abandon = in.u8() == 0xAB;
            if (r == Vringh.GOT_CHAIN) {
              check(!broken, "GOT_CHAIN after BROKEN");
              chains++;
              checkChain(chain, indirect);
              check(!held.contains(chain.head()), "head handed out twice: " + chain.head());
              held.add(chain.head());
              if (abandon) {
                v.abandon(chain);
                held.remove(held.size() - 1);
              }
            } else if (r == Vringh.EMPTY) {
              check(!broken, "EMPTY after BROKEN");
              empties++;
            } else if (r == Vringh.BROKEN) {
              check(v.isBroken(), "BROKEN returned but isBroken() is false");
              brokenResults++;
            } else {
              throw new AssertionError("getAvail returned " + r);
            }
          }
          case 2 -> {
            int pick = in.u8();
            int len = (int) in.u32();
            if (!held.isEmpty()) {
              int head = held.remove(pick % held.size());
              v.addUsed(head, len);
              int slot = usedShadow & mask;
              usedExpected[slot] = (long) head << 32 | Integer.toUnsignedLong(len);
              usedWritten[slot] = true;
              usedShadow = (usedShadow + 1) & 0xFFFF;
              completed++;
            }
          }
          case 3 -> {
            v.publishUsed();
            check(rings.used().idxAcquire() == usedShadow, "used.idx " + rings.used().idxAcquire() + " != " + usedShadow);
            for (int s = 0; s < size; s++) {
              if (usedWritten[s]) {
                check(rings.used().elemId(s) == usedExpected[s] >>> 32, "used.ring[" + s + "].id");
                check(rings.used().elemLen(s) == (usedExpected[s] & 0xFFFF_FFFFL), "used.ring[" + s + "].len");
                usedWritten[s] = false;
              }
            }
            published += (usedShadow - publishedIdx) & 0xFFFF;
            publishedIdx = usedShadow;
          }
          case 4 -> v.needNotify();
          case 5 -> {
            v.enableNotify();
            if (!eventIdx) {
              check(rings.used().flags() == 0, "used.flags after enableNotify");
            }
          }
          case 6 -> {
            v.disableNotify();
            if (!eventIdx) {
              check(rings.used().flags() == USED_F_NO_NOTIFY, "used.flags after disableNotify");
            }
          }
          default -> driverWrites();
        }
        broken |= v.isBroken();
        check(v.isBroken() == broken, "isBroken() went back to false");
        check(v.heldCount() == held.size(), "heldCount " + v.heldCount() + " != " + held.size());
        int pending = v.pendingAvail();
        check(pending >= 0 && pending <= size, "pendingAvail " + pending);
        checkOnlyUsedRingWritten();
      }
      if (broken) {
        check(v.getAvail(chain) == Vringh.BROKEN, "not BROKEN after a violation");
        check(v.violation() != null, "no violation recorded");
      }
      checkCanaries();
      return new Summary(size, chains, empties, brokenResults, completed, published,
          v.isBroken() ? v.latch().violation() : null);
    }

    // -------------------------------------------------------------------------------------------
    // Driver writes.

    private int head() {
      int h = in.u8();
      return h < 0xF8 ? h % size : in.u16();
    }

    private void descriptor(DescriptorTable table, int i, int nextLimit) {
      long addr = address();
      int len = length(addr);
      int f = in.u8();
      int flags = f < 0x80 ? f & (DESC_F_NEXT | DESC_F_WRITE | DESC_F_INDIRECT) : in.u16();
      int n = in.u8();
      int next = n < 0xF0 ? n % nextLimit : in.u16();
      table.set(i, addr, len, flags, next);
    }

    private long address() {
      int m = in.u8() % 8;
      return switch (m) {
        case 0, 1, 2, 3 -> BUS + DATA + in.u16() % DATA_BYTES;
        case 4 -> {
          int t = in.u8();
          yield BUS + TABLES + (t % TABLE_COUNT) * TABLE_BYTES + (t >= 0x80 ? 8 : 0);
        }
        case 5 -> BUS + in.u16() % TABLES;
        case 6 -> {
          int e = in.u8();
          long d = e >>> 2;
          yield switch (e % 4) {
            case 0 -> BUS + WINDOW_BYTES - d;
            case 1 -> BUS + WINDOW_BYTES + d;
            case 2 -> BUS - 1 - d;
            default -> -1L - d;
          };
        }
        default -> in.u64();
      };
    }

    private int length(long addr) {
      int l = in.u8();
      return switch (l % 8) {
        case 0, 1, 2, 3 -> in.u16() % 512;
        case 4 -> 0;
        case 5 -> (int) (BUS + WINDOW_BYTES - addr) + (l / 8) % 3 - 1;
        case 6 -> DESC_SIZE * (in.u8() % (TABLE_ENTRIES + 1));
        default -> (int) in.u32();
      };
    }

    private void driverWrites() {
      switch (in.u8() % 4) {
        case 0 -> {
          int n = in.u8() % (size + 1);
          for (int k = 0; k < n; k++) {
            rings.avail().setEntry(driverAvailIdx & mask, head());
            driverAvailIdx = (driverAvailIdx + 1) & 0xFFFF;
          }
          rings.avail().publishIdx(driverAvailIdx);
        }
        case 1 -> descriptor(rings.desc(), in.u8() % size, size);
        case 2 -> rings.avail().setFlags(in.u16());
        default -> rings.avail().setUsedEvent(in.u16());
      }
      snapshot();
    }

    // -------------------------------------------------------------------------------------------
    // Checks.

    private static void check(boolean ok, String what) {
      if (!ok) {
        throw new AssertionError(what);
      }
    }

    /** Bounds, order and count of the chain, then a re-walk of the descriptors it came from. */
    private void checkChain(Chain c, boolean indirect) {
      int r = c.readableCount();
      int w = c.writableCount();
      check(c.head() >= 0 && c.head() < size, "head " + c.head());
      check(r + w >= 1 && r + w <= size, "chain of " + (r + w) + " buffers on a queue of " + size);
      long rBytes = 0;
      for (int i = 0; i < r; i++) {
        checkInWindow(c.readableOffset(i), c.readableLength(i));
        rBytes += Integer.toUnsignedLong(c.readableLength(i));
      }
      long wBytes = 0;
      for (int i = 0; i < w; i++) {
        checkInWindow(c.writableOffset(i), c.writableLength(i));
        wBytes += Integer.toUnsignedLong(c.writableLength(i));
      }
      check(rBytes == c.readableBytes() && wBytes == c.writableBytes(), "byte totals");
      check(rBytes + wBytes <= 0xFFFF_FFFFL, "chain larger than 2^32 - 1 bytes");

      // Reference walk: the descriptors Vringh accepted, in order.
      List<long[]> walked = new ArrayList<>(); // {offset, len, writable}
      DescriptorTable table = rings.desc();
      int i = c.head();
      boolean inIndirect = false;
      for (int guard = 0; ; guard++) {
        check(guard <= 2 * size + 1, "reference walk does not end");
        int flags = table.flags(i);
        long addr = table.addr(i);
        long len = table.len(i);
        if ((flags & DESC_F_INDIRECT) != 0) {
          check(indirect && !inIndirect && (flags & DESC_F_NEXT) == 0 && len > 0 && len % DESC_SIZE == 0,
              "accepted a bad indirect descriptor, flags " + flags + " len " + len);
          long off = win.offsetOf(addr, len);
          check(off != Window.OUT_OF_RANGE, "accepted an indirect table outside the window");
          table = new DescriptorTable(window.asSlice(off, len));
          inIndirect = true;
          i = 0;
          continue;
        }
        long off = win.offsetOf(addr, len);
        check(off != Window.OUT_OF_RANGE, "accepted a buffer outside the window: 0x" + Long.toHexString(addr));
        walked.add(new long[] {off, len, (flags & DESC_F_WRITE) != 0 ? 1 : 0});
        if ((flags & DESC_F_NEXT) == 0) {
          break;
        }
        i = table.next(i);
        check(i < table.entries(), "accepted next " + i + " of " + table.entries());
      }
      check(walked.size() == r + w, "chain has " + (r + w) + " buffers, descriptors say " + walked.size());
      for (int k = 0; k < walked.size(); k++) {
        long[] d = walked.get(k);
        boolean writable = d[2] == 1;
        check(writable == (k >= r), "readable buffer after a writable one at " + k);
        long off = writable ? c.writableOffset(k - r) : c.readableOffset(k);
        long len = Integer.toUnsignedLong(writable ? c.writableLength(k - r) : c.readableLength(k));
        check(off == d[0] && len == d[1], "buffer " + k + " differs from its descriptor");
      }
    }

    private static void checkInWindow(long offset, int length) {
      long len = Integer.toUnsignedLong(length);
      check(offset >= 0 && offset <= WINDOW_BYTES && len <= WINDOW_BYTES - offset,
          "buffer [" + offset + ", +" + len + ") outside the window of " + WINDOW_BYTES);
    }

    private void snapshot() {
      MemorySegment.copy(window, 0, shadow, 0, WINDOW_BYTES);
    }

    /** The device wrote nothing in the window but the used ring (our own writes are snapshotted). */
    private void checkOnlyUsedRingWritten() {
      long a = window.asSlice(0, usedOffset).mismatch(shadow.asSlice(0, usedOffset));
      check(a == -1, "device wrote window byte " + a + " (before the used ring)");
      long after = usedOffset + usedBytes;
      long b = window.asSlice(after).mismatch(shadow.asSlice(after));
      check(b == -1, "device wrote window byte " + (b + after) + " (after the used ring)");
    }

    private void checkCanaries() {
      for (long k = 0; k < PAD; k++) {
        check(whole.get(java.lang.foreign.ValueLayout.JAVA_BYTE, k) == CANARY, "canary before the window at " + k);
        check(whole.get(java.lang.foreign.ValueLayout.JAVA_BYTE, PAD + WINDOW_BYTES + k) == CANARY,
            "canary after the window at " + k);
      }
    }
  }
}
