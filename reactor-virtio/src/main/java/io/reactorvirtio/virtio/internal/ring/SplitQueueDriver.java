package io.reactorvirtio.virtio.internal.ring;

import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.AVAIL_F_NO_INTERRUPT;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_F_INDIRECT;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_F_NEXT;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_F_WRITE;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.DESC_SIZE;
import static io.reactorvirtio.virtio.internal.ring.SplitRingLayout.USED_F_NO_NOTIFY;

import io.reactorvirtio.virtio.RingViolation;
import io.reactorvirtio.virtio.RingViolationException;
import io.reactorvirtio.virtio.memory.Window;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Driver side of a split virtqueue (Linux {@code virtio_ring.c}, split part): owns the descriptor
 * table and the available ring, adds chains, decides kicks, reclaims used chains.
 *
 * <p>Single-threaded and allocation-free: the caller serialises access. Outcomes are codes:
 * {@code add*} return the chain head or {@link #NO_SPACE} / {@link ViolationLatch#BROKEN};
 * {@link #pollUsed()} returns the cookie of the reclaimed chain or {@link #EMPTY} / {@code BROKEN}.
 *
 * <p>The device is untrusted too: a used element that names no outstanding chain, a used.idx that
 * runs ahead, or a length beyond the chain's writable capacity latches the queue broken. A used
 * length on a chain with no writable part is ignored (OpenAMP reports the buffer length there).
 *
 * <p>Shadows: everything the driver publishes (avail.idx, avail.flags, descriptor links) is kept
 * in Java fields and never re-read from shared memory.
 */
public final class SplitQueueDriver {

  public static final int EMPTY = -1;
  public static final int NO_SPACE = -1;
  public static final int BROKEN = ViolationLatch.BROKEN;

  private static final int END = -1;

  private final String name;
  private final int size;
  private final int mask;
  private final DescriptorTable desc;
  private final AvailRing avail;
  private final UsedRing used;
  private final boolean eventIdx;
  private final ViolationLatch latch = new ViolationLatch();

  /** Indirect tables: one of {@code maxIndirect} entries per head, in driver memory. */
  private final @Nullable DescriptorTable indirectTables;
  private final long indirectBusBase;
  private final int maxIndirect;

  // Shadows of what we published, and per-head bookkeeping.
  private final int[] nextShadow;
  private final int[] chainDescs; // descriptors a head occupies in the ring's own table; 0 = not outstanding
  private final long[] writableCapacity;
  private final int[] cookies;
  private int freeHead;
  private int numFree;
  private int outstandingHeads;
  private int availIdxShadow;
  private int availFlagsShadow;
  private int kickedAvailIdx;
  private int lastUsedIdx;
  private boolean callbacksEnabled = true;

  private long lastUsedLen;
  private int lastUsedHead;

  private SplitQueueDriver(String name, QueueGeometry.Resolved rings, boolean eventIdx,
      @Nullable DescriptorTable indirectTables, long indirectBusBase, int maxIndirect) {
    this.name = name;
    this.size = rings.geometry().size();
    this.mask = size - 1;
    this.desc = rings.desc();
    this.avail = rings.avail();
    this.used = rings.used();
    this.eventIdx = eventIdx;
    this.indirectTables = indirectTables;
    this.indirectBusBase = indirectBusBase;
    this.maxIndirect = maxIndirect;
    this.nextShadow = new int[size];
    this.chainDescs = new int[size];
    this.writableCapacity = new long[size];
    this.cookies = new int[size];
    reset();
  }

  /**
   * A driver over rings in its own memory, reached through {@code window}. The ring memory is
   * initialised (Linux {@code vring_init}: used.flags = 0, indices 0).
   *
   * @param indirectArea bus address of {@code size × maxIndirect × 16} bytes for indirect tables,
   *     or any value when {@code maxIndirect} is 0
   */
  public static SplitQueueDriver create(String name, QueueGeometry geometry, Window window, boolean eventIdx,
      long indirectArea, int maxIndirect) {
    QueueGeometry.Resolved rings = geometry.resolve(name, window);
    DescriptorTable tables = null;
    if (maxIndirect > 0) {
      long bytes = (long) geometry.size() * maxIndirect * DESC_SIZE;
      long off = window.offsetOf(indirectArea, bytes);
      if (off == Window.OUT_OF_RANGE) {
        throw new RingViolationException(name, RingViolation.RING_OUT_OF_WINDOW, "indirect area", indirectArea);
      }
      tables = new DescriptorTable(window.segment().asSlice(off, bytes));
    }
    return new SplitQueueDriver(name, rings, eventIdx, tables, indirectArea, maxIndirect);
  }

  public static SplitQueueDriver create(String name, QueueGeometry geometry, Window window, boolean eventIdx) {
    return create(name, geometry, window, eventIdx, 0, 0);
  }

  /** Zeroes the rings and forgets every outstanding chain (device reset). */
  public void reset() {
    desc.segment().fill((byte) 0);
    avail.segment().fill((byte) 0);
    used.segment().fill((byte) 0);
    for (int i = 0; i < size; i++) {
      nextShadow[i] = i + 1 < size ? i + 1 : END;
    }
    Arrays.fill(chainDescs, 0);
    Arrays.fill(writableCapacity, 0);
    Arrays.fill(cookies, 0);
    freeHead = 0;
    numFree = size;
    outstandingHeads = 0;
    availIdxShadow = 0;
    availFlagsShadow = 0;
    kickedAvailIdx = 0;
    lastUsedIdx = 0;
    callbacksEnabled = true;
    latch.reset();
  }

  public String name() {
    return name;
  }

  public int size() {
    return size;
  }

  /** Chains made available and not yet reclaimed. */
  public int outstanding() {
    return outstandingHeads;
  }

  /** Free descriptors in the ring's own table. */
  public int numFree() {
    return numFree;
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

  /** Length the device reported for the chain last returned by {@link #pollUsed()}. */
  public long lastUsedLen() {
    return lastUsedLen;
  }

  /** Head of the chain last returned by {@link #pollUsed()}. */
  public int lastUsedHead() {
    return lastUsedHead;
  }

  // ---------------------------------------------------------------------------------------------
  // Adding buffers (virtio spec 2.7.13 "Supplying Buffers to The Device").

  /** Adds a one-descriptor chain; the fast path of message queues. */
  public int addBuffer(long addr, int len, boolean deviceWritable, int cookie) {
    if (latch.isBroken()) {
      return BROKEN;
    }
    if (numFree == 0) {
      return NO_SPACE;
    }
    int head = freeHead;
    freeHead = nextShadow[head];
    numFree--;
    desc.set(head, addr, len, deviceWritable ? DESC_F_WRITE : 0, 0);
    chainDescs[head] = 1;
    writableCapacity[head] = deviceWritable ? Integer.toUnsignedLong(len) : 0;
    cookies[head] = cookie;
    publish(head);
    return head;
  }

  /**
   * Adds a chain of {@code readable} device-readable buffers followed by {@code writable}
   * device-writable ones (the order the spec requires).
   */
  public int addChain(long[] addrs, int[] lens, int readable, int writable, int cookie) {
    if (latch.isBroken()) {
      return BROKEN;
    }
    int total = readable + writable;
    if (total <= 0) {
      throw new IllegalArgumentException("a chain needs at least one buffer");
    }
    if (numFree < total) {
      return NO_SPACE;
    }
    int head = freeHead;
    int i = head;
    long capacity = 0;
    for (int k = 0; k < total; k++) {
      boolean w = k >= readable;
      int next = nextShadow[i];
      int flags = (w ? DESC_F_WRITE : 0) | (k + 1 < total ? DESC_F_NEXT : 0);
      desc.set(i, addrs[k], lens[k], flags, k + 1 < total ? next : 0);
      if (w) {
        capacity += Integer.toUnsignedLong(lens[k]);
      }
      if (k + 1 < total) {
        i = next;
      } else {
        freeHead = next;
      }
    }
    numFree -= total;
    chainDescs[head] = total;
    writableCapacity[head] = capacity;
    cookies[head] = cookie;
    publish(head);
    return head;
  }

  /**
   * Adds a chain through one indirect table (needs VIRTIO_F_INDIRECT_DESC negotiated and an
   * indirect area): one descriptor of the ring's table, however long the chain.
   */
  public int addIndirect(long[] addrs, int[] lens, int readable, int writable, int cookie) {
    if (latch.isBroken()) {
      return BROKEN;
    }
    DescriptorTable tables = indirectTables;
    int total = readable + writable;
    if (tables == null || total > maxIndirect || total <= 0) {
      throw new IllegalArgumentException("indirect chain of " + total + " buffers does not fit the indirect area ("
          + maxIndirect + " per table)");
    }
    if (numFree == 0) {
      return NO_SPACE;
    }
    int head = freeHead;
    int base = head * maxIndirect;
    long capacity = 0;
    for (int k = 0; k < total; k++) {
      boolean w = k >= readable;
      int flags = (w ? DESC_F_WRITE : 0) | (k + 1 < total ? DESC_F_NEXT : 0);
      tables.set(base + k, addrs[k], lens[k], flags, k + 1 < total ? k + 1 : 0);
      if (w) {
        capacity += Integer.toUnsignedLong(lens[k]);
      }
    }
    freeHead = nextShadow[head];
    numFree--;
    long tableAddr = indirectBusBase + (long) base * DESC_SIZE;
    desc.set(head, tableAddr, total * DESC_SIZE, DESC_F_INDIRECT, 0);
    chainDescs[head] = 1;
    writableCapacity[head] = capacity;
    cookies[head] = cookie;
    publish(head);
    return head;
  }

  private void publish(int head) {
    outstandingHeads++;
    avail.setEntry(availIdxShadow & mask, head);
    availIdxShadow = RingIndex.next(availIdxShadow);
    // virtio_wmb: descriptors and avail.ring[] entry before the new avail.idx (release).
    avail.publishIdx(availIdxShadow);
  }

  /**
   * Linux {@code virtqueue_kick_prepare}: whether the device wants a notification for what was
   * added since the last call. One decision per batch.
   */
  public boolean kickPrepare() {
    int old = kickedAvailIdx;
    int now = availIdxShadow;
    kickedAvailIdx = now;
    if (old == now) {
      return false;
    }
    // virtio_mb: the avail.idx store must be ordered before reading avail_event / used.flags,
    // or we could miss the device re-enabling notifications (store->load needs a full fence).
    VarHandle.fullFence();
    if (eventIdx) {
      return RingIndex.needEvent(used.availEvent(), now, old);
    }
    return (used.flags() & USED_F_NO_NOTIFY) == 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Reclaiming used buffers (virtio spec 2.7.14 "Receiving Used Buffers From The Device").

  /** Whether the device has returned chains not yet reclaimed. */
  public boolean hasUsed() {
    return used.idxAcquire() != lastUsedIdx;
  }

  /** Chains the device has returned and the driver not yet reclaimed (validated lazily). */
  public int pendingUsed() {
    return RingIndex.distance(lastUsedIdx, used.idxAcquire());
  }

  /**
   * Reclaims the next used chain: frees its descriptors and returns the cookie it was added with
   * ({@link #lastUsedLen()} and {@link #lastUsedHead()} describe it), or {@link #EMPTY}.
   */
  public int pollUsed() {
    if (latch.isBroken()) {
      return BROKEN;
    }
    // virtio_rmb: used.idx (acquire) before the used elements.
    int usedIdx = used.idxAcquire();
    if (usedIdx == lastUsedIdx) {
      return EMPTY;
    }
    if (RingIndex.distance(lastUsedIdx, usedIdx) > outstandingHeads) {
      return latch.latch(RingViolation.USED_IDX_JUMP, "used.idx", usedIdx);
    }
    int slot = lastUsedIdx & mask;
    long id = used.elemId(slot);
    long len = used.elemLen(slot);
    if (id >= size) {
      return latch.latch(RingViolation.USED_ID_OUT_OF_RANGE, "used.ring[" + slot + "].id", id);
    }
    int head = (int) id;
    int descs = chainDescs[head];
    if (descs == 0) {
      return latch.latch(RingViolation.USED_ID_NOT_OUTSTANDING, "used.ring[" + slot + "].id", id);
    }
    long capacity = writableCapacity[head];
    if (capacity > 0 && len > capacity) {
      return latch.latch(RingViolation.USED_LEN_TOO_LONG, "used.ring[" + slot + "].len", len);
    }
    lastUsedIdx = RingIndex.next(lastUsedIdx);
    lastUsedLen = capacity > 0 ? len : 0;
    lastUsedHead = head;
    freeChain(head, descs);
    return cookies[head];
  }

  private void freeChain(int head, int descs) {
    int tail = head;
    for (int k = 1; k < descs; k++) {
      tail = nextShadow[tail];
    }
    nextShadow[tail] = freeHead;
    freeHead = head;
    numFree += descs;
    outstandingHeads--;
    chainDescs[head] = 0;
    writableCapacity[head] = 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Used-buffer notification suppression (virtio spec 2.7.10).

  /** Asks the device not to notify us of used buffers (advisory). */
  public void disableCallbacks() {
    callbacksEnabled = false;
    if (!eventIdx && (availFlagsShadow & AVAIL_F_NO_INTERRUPT) == 0) {
      availFlagsShadow |= AVAIL_F_NO_INTERRUPT;
      avail.setFlags(availFlagsShadow);
    }
    // With EVENT_IDX nothing to write: used_event stays where it was, so the device notifies at
    // most once more (Linux does the same).
  }

  /**
   * Re-enables used-buffer notifications and re-checks: returns {@code true} when chains arrived
   * meanwhile, in which case the caller must process them instead of sleeping.
   */
  public boolean enableCallbacks() {
    callbacksEnabled = true;
    if (eventIdx) {
      avail.setUsedEvent(lastUsedIdx);
    } else if ((availFlagsShadow & AVAIL_F_NO_INTERRUPT) != 0) {
      availFlagsShadow &= ~AVAIL_F_NO_INTERRUPT;
      avail.setFlags(availFlagsShadow);
    }
    // virtio_mb: publish used_event / flags before re-reading used.idx, so that a device which
    // missed our re-enable is seen here instead.
    VarHandle.fullFence();
    return used.idxAcquire() != lastUsedIdx;
  }

  public boolean callbacksEnabled() {
    return callbacksEnabled;
  }

  @Override
  public String toString() {
    return "SplitQueueDriver[" + name + ", size " + size + ", free " + numFree + ", avail " + availIdxShadow
        + ", lastUsed " + lastUsedIdx + (latch.isBroken() ? ", BROKEN " + latch.violation() : "") + "]";
  }
}
