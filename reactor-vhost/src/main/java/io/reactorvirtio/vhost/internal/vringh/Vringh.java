package io.reactorvirtio.vhost.internal.vringh;

import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.AVAIL_F_NO_INTERRUPT;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_F_INDIRECT;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_F_NEXT;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_F_WRITE;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_SIZE;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.USED_F_NO_NOTIFY;

import io.reactorvirtio.virtio.RingViolation;
import io.reactorvirtio.virtio.RingViolationException;
import io.reactorvirtio.virtio.internal.ring.AvailRing;
import io.reactorvirtio.virtio.internal.ring.DescriptorTable;
import io.reactorvirtio.virtio.internal.ring.QueueGeometry;
import io.reactorvirtio.virtio.internal.ring.RingIndex;
import io.reactorvirtio.virtio.internal.ring.UsedRing;
import io.reactorvirtio.virtio.internal.ring.ViolationLatch;
import io.reactorvirtio.virtio.memory.Window;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * Device side of a split virtqueue, after Linux {@code drivers/vhost/vringh.c}: takes available
 * chains from rings that live in the driver's memory, reached through a {@link Window}; completes
 * them on the used ring; decides notifications.
 *
 * <p>The ring is hostile input. {@link #getAvail(Chain)} validates every field it reads before it
 * touches a buffer: avail.idx distance, head and next ranges, loops (a per-walk stamp array, so a
 * loop is told apart from a long chain), chain length against the queue size, total size, window
 * bounds of every buffer and indirect table, readable-after-writable, indirect rules. The first
 * violation latches the queue broken ({@code BAD_RING}); nothing is read or written outside the
 * window, nothing throws on the hot path, nothing loops without bound.
 *
 * <p>Three outcomes, as vringh's: {@link #GOT_CHAIN}, {@link #EMPTY}, {@link #BROKEN}.
 * Single-threaded and allocation-free, except on the violation path.
 */
public final class Vringh {

  public static final int GOT_CHAIN = 1;
  public static final int EMPTY = 0;
  public static final int BROKEN = ViolationLatch.BROKEN;

  private final String name;
  private final int size;
  private final int mask;
  private final Window window;
  private final MemorySegment windowSegment;
  private final DescriptorTable desc;
  private final AvailRing avail;
  private final UsedRing used;
  private final boolean eventIdx;
  private final boolean indirectAllowed;
  private final ViolationLatch latch = new ViolationLatch();

  private final boolean[] held;
  private int heldCount;
  private final int[] stamp;
  private final int[] indirectStamp;
  private int generation;

  private int lastAvailIdx;
  private int usedIdxShadow;
  private int publishedUsedIdx;
  private int notifiedUsedIdx;

  private Vringh(String name, QueueGeometry.Resolved rings, Window window, boolean eventIdx, boolean indirect) {
    this.name = name;
    this.size = rings.geometry().size();
    this.mask = size - 1;
    this.window = window;
    this.windowSegment = window.segment();
    this.desc = rings.desc();
    this.avail = rings.avail();
    this.used = rings.used();
    this.eventIdx = eventIdx;
    this.indirectAllowed = indirect;
    this.held = new boolean[size];
    this.stamp = new int[size];
    this.indirectStamp = new int[size];
  }

  /**
   * Attaches to rings the driver placed at {@code geometry} (untrusted: validated here).
   *
   * <p>The device starts from the ring's current indices: {@code lastAvailIdx} = used.idx, as a
   * device attaching to a freshly initialised ring (both 0) or resuming one.
   *
   * @throws RingViolationException when the geometry breaks a rule (size, alignment, window)
   */
  public static Vringh attach(String name, QueueGeometry geometry, Window window, boolean eventIdx,
      boolean indirect) {
    Vringh v = new Vringh(name, geometry.resolve(name, window), window, eventIdx, indirect);
    v.usedIdxShadow = v.used.idxAcquire();
    v.publishedUsedIdx = v.usedIdxShadow;
    v.notifiedUsedIdx = v.usedIdxShadow;
    v.lastAvailIdx = v.usedIdxShadow;
    return v;
  }

  /** A reusable chain holder sized for this queue. */
  public Chain newChain() {
    return new Chain(windowSegment, size);
  }

  public String name() {
    return name;
  }

  public int size() {
    return size;
  }

  public Window window() {
    return window;
  }

  public boolean isBroken() {
    return latch.isBroken();
  }

  public ViolationLatch latch() {
    return latch;
  }

  public RingViolationException violation() {
    return latch.toException(name);
  }

  /** Chains taken and not yet completed. */
  public int heldCount() {
    return heldCount;
  }

  /**
   * Available chains not yet taken, as the driver's avail.idx says (validated on take; an idx that
   * jumps past the queue size reads as {@code size}).
   */
  public int pendingAvail() {
    int d = RingIndex.distance(lastAvailIdx, avail.idxAcquire());
    return Math.min(d, size);
  }

  // ---------------------------------------------------------------------------------------------
  // Taking chains.

  /**
   * Takes the next available chain into {@code out}: {@link #GOT_CHAIN}, {@link #EMPTY} or
   * {@link #BROKEN}.
   */
  public int getAvail(Chain out) {
    if (latch.isBroken()) {
      return BROKEN;
    }
    // virtio_rmb: avail.idx (acquire) before the ring entry and the descriptors.
    int availIdx = avail.idxAcquire();
    int pending = RingIndex.distance(lastAvailIdx, availIdx);
    if (pending == 0) {
      return EMPTY;
    }
    if (pending > size) {
      return latch.latch(RingViolation.AVAIL_IDX_JUMP, "avail.idx", availIdx);
    }
    int slot = lastAvailIdx & mask;
    int head = avail.entry(slot);
    if (head >= size) {
      return latch.latch(RingViolation.HEAD_OUT_OF_RANGE, "avail.ring[" + slot + "]", head);
    }
    if (held[head]) {
      return latch.latch(RingViolation.HEAD_IN_USE, "avail.ring[" + slot + "]", head);
    }
    out.clear();
    int r = walk(head, out);
    if (r != GOT_CHAIN) {
      return r;
    }
    out.head(head);
    held[head] = true;
    heldCount++;
    lastAvailIdx = RingIndex.next(lastAvailIdx);
    return GOT_CHAIN;
  }

  private int walk(int head, Chain out) {
    int gen = ++generation;
    if (gen == 0) { // stamp wrap: clear once every 2^32 walks
      java.util.Arrays.fill(stamp, 0);
      java.util.Arrays.fill(indirectStamp, 0);
      gen = generation = 1;
    }
    DescriptorTable table = desc;
    int tableSize = size;
    int[] visited = stamp;
    boolean inIndirect = false;
    boolean sawWritable = false;
    long totalBytes = 0;
    int count = 0;
    int i = head;
    while (true) {
      if (visited[i] == gen) {
        return latch.latch(RingViolation.DESCRIPTOR_LOOP, where(inIndirect, i) + " revisited, chain head", head);
      }
      visited[i] = gen;
      if (++count > size) {
        return latch.latch(RingViolation.CHAIN_TOO_LONG, "chain length from head " + head, count);
      }
      int flags = table.flags(i);
      long addr = table.addr(i);
      long len = table.len(i);
      if ((flags & DESC_F_INDIRECT) != 0) {
        if (!indirectAllowed) {
          return latch.latch(RingViolation.INDIRECT_NOT_NEGOTIATED, where(inIndirect, i) + ".flags", flags);
        }
        if (inIndirect) {
          return latch.latch(RingViolation.NESTED_INDIRECT, where(true, i) + ".flags", flags);
        }
        if ((flags & DESC_F_NEXT) != 0) {
          return latch.latch(RingViolation.INDIRECT_WITH_NEXT, where(false, i) + ".flags", flags);
        }
        if (len == 0 || len % DESC_SIZE != 0) {
          return latch.latch(RingViolation.BAD_INDIRECT_LENGTH, where(false, i) + ".len", len);
        }
        long entries = len / DESC_SIZE;
        if (entries + count - 1 > size) {
          return latch.latch(RingViolation.CHAIN_TOO_LONG, where(false, i) + ".len / 16", entries);
        }
        long off = window.offsetOf(addr, len);
        if (off == Window.OUT_OF_RANGE) {
          return latch.latch(RingViolation.BUFFER_OUT_OF_WINDOW, where(false, i) + ".addr (indirect table)", addr);
        }
        // The descriptor that points at the table is not a buffer of the chain: only the table's
        // entries count towards the queue size (as checked just above, and as Linux vringh counts).
        count--;
        // The device ignores WRITE on the descriptor that points at the table (spec 2.7.5.3.2).
        table = new DescriptorTable(windowSegment.asSlice(off, len));
        tableSize = (int) entries;
        visited = indirectStamp;
        inIndirect = true;
        i = 0;
        continue;
      }
      long off = window.offsetOf(addr, len);
      if (off == Window.OUT_OF_RANGE) {
        return latch.latch(RingViolation.BUFFER_OUT_OF_WINDOW, where(inIndirect, i) + ".addr", addr);
      }
      boolean w = (flags & DESC_F_WRITE) != 0;
      if (!w && sawWritable) {
        return latch.latch(RingViolation.READABLE_AFTER_WRITABLE, where(inIndirect, i) + ".flags", flags);
      }
      sawWritable |= w;
      totalBytes += len;
      if (totalBytes > 0xFFFF_FFFFL) {
        return latch.latch(RingViolation.CHAIN_TOO_LARGE, "chain bytes from head " + head, totalBytes);
      }
      out.add(off, (int) len, w);
      if ((flags & DESC_F_NEXT) == 0) {
        return GOT_CHAIN;
      }
      int next = table.next(i);
      if (next >= tableSize) {
        return latch.latch(RingViolation.NEXT_OUT_OF_RANGE, where(inIndirect, i) + ".next", next);
      }
      i = next;
    }
  }

  private static String where(boolean indirect, int i) {
    return (indirect ? "indirect desc[" : "desc[") + i + "]";
  }

  /**
   * Gives the last taken chain back to the available ring, untouched (vringh_abandon). Only the
   * most recently taken chain can be abandoned.
   */
  public void abandon(Chain chain) {
    int head = chain.head();
    if (head < 0 || !held[head]) {
      throw new IllegalStateException("chain " + head + " is not held");
    }
    held[head] = false;
    heldCount--;
    lastAvailIdx = (lastAvailIdx - 1) & RingIndex.MASK;
  }

  // ---------------------------------------------------------------------------------------------
  // Completing chains.

  /**
   * Writes a used element for a held chain; becomes visible to the driver at
   * {@link #publishUsed()}. {@code len} is the number of bytes written into the writable part.
   */
  public void addUsed(int head, int len) {
    if (head < 0 || head >= size || !held[head]) {
      throw new IllegalStateException("queue '" + name + "': chain " + head + " is not held");
    }
    held[head] = false;
    heldCount--;
    used.setElem(usedIdxShadow & mask, head, len);
    usedIdxShadow = RingIndex.next(usedIdxShadow);
  }

  /** Publishes the used elements added so far. */
  public void publishUsed() {
    // virtio_wmb: used elements (id, len) before the new used.idx (release).
    used.publishIdx(usedIdxShadow);
    publishedUsedIdx = usedIdxShadow;
  }

  /**
   * Whether the driver wants a used-buffer notification for what was published since the last
   * call (vringh_need_notify). One decision per batch.
   */
  public boolean needNotify() {
    int old = notifiedUsedIdx;
    // Only what the driver can see: entries added but not yet published are decided on later.
    int now = publishedUsedIdx;
    notifiedUsedIdx = now;
    if (old == now) {
      return false;
    }
    // virtio_mb: used.idx store before reading used_event / avail.flags (store->load).
    VarHandle.fullFence();
    if (eventIdx) {
      return RingIndex.needEvent(avail.usedEvent(), now, old);
    }
    int flags = avail.flags();
    if ((flags & ~AVAIL_F_NO_INTERRUPT) != 0) {
      latch.latch(RingViolation.BAD_AVAIL_FLAGS, "avail.flags", flags);
      return true;
    }
    return (flags & AVAIL_F_NO_INTERRUPT) == 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Available-buffer notification suppression.

  /** Asks the driver not to kick (advisory). */
  public void disableNotify() {
    if (!eventIdx) {
      used.setFlags(USED_F_NO_NOTIFY);
    }
  }

  /**
   * Re-enables kicks and re-checks (vringh_notify_enable): returns {@code true} when chains
   * arrived meanwhile, in which case the caller must process them instead of sleeping.
   */
  public boolean enableNotify() {
    if (eventIdx) {
      used.setAvailEvent(lastAvailIdx);
    } else {
      used.setFlags(0);
    }
    // virtio_mb: avail_event / used.flags before re-reading avail.idx.
    VarHandle.fullFence();
    return avail.idxAcquire() != lastAvailIdx;
  }

  @Override
  public String toString() {
    return "Vringh[" + name + ", size " + size + ", lastAvail " + lastAvailIdx + ", used " + usedIdxShadow
        + ", held " + heldCount + (latch.isBroken() ? ", BROKEN " + latch.violation() : "") + "]";
  }
}
