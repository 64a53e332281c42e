package io.reactorvirtio.virtio.internal.ring;

/**
 * 16-bit free-running ring indices, held in {@code int}s masked with {@code 0xFFFF}. Every index
 * computation of the ring code goes through here.
 */
public final class RingIndex {

  public static final int MASK = 0xFFFF;

  private RingIndex() {}

  /** {@code idx + 1} modulo 2^16. */
  public static int next(int idx) {
    return (idx + 1) & MASK;
  }

  /** {@code idx + n} modulo 2^16. */
  public static int add(int idx, int n) {
    return (idx + n) & MASK;
  }

  /** Entries from {@code from} up to {@code to}: {@code (u16)(to - from)}. */
  public static int distance(int from, int to) {
    return (to - from) & MASK;
  }

  /**
   * Linux {@code vring_need_event}: notify iff the peer's event index lies in the half-open batch
   * {@code [old, new)}, that is {@code (u16)(new - event - 1) < (u16)(new - old)}.
   */
  public static boolean needEvent(int eventIdx, int newIdx, int oldIdx) {
    return ((newIdx - eventIdx - 1) & MASK) < ((newIdx - oldIdx) & MASK);
  }
}
