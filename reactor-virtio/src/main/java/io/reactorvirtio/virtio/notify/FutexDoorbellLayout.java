package io.reactorvirtio.virtio.notify;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Layout of a futex doorbell in shared memory: 8 bytes at a 4-byte-aligned offset, both fields
 * little-endian 32-bit integers.
 *
 * <pre>
 *   offset   +0                   +4                   +8
 *            +--------------------+--------------------+
 *            | seq      (int32)   | waiters  (int32)   |
 *            +--------------------+--------------------+
 *
 *   seq      the futex word; every ring increments it (wrapping). The poller snapshots it in
 *            arm() and FUTEX_WAITs on that snapshot.
 *   waiters  1 while the owning poller is armed or parked, else 0. A ringer issues FUTEX_WAKE
 *            only when it reads 1 after incrementing seq, so rings nobody sleeps on cost no
 *            system call.
 * </pre>
 *
 * <p>One poller (in one process) owns a doorbell; any number of threads in any process mapping
 * the same memory may ring it. Give each doorbell its own cache line when ringers and the poller
 * run on different cores.
 */
public final class FutexDoorbellLayout {

  /** Offset of {@code seq}, the futex word. */
  public static final long SEQ_OFFSET = 0;

  /** Offset of {@code waiters}, the "poller is armed" flag. */
  public static final long WAITERS_OFFSET = 4;

  /** Bytes a doorbell occupies. */
  public static final long SIZE = 8;

  /** Required alignment of a doorbell's address. */
  public static final long ALIGNMENT = 4;

  /** Little-endian {@code int} accessor with coordinates {@code (MemorySegment, long offset)}. */
  static final VarHandle INT = JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

  private FutexDoorbellLayout() {}

  /**
   * Checks that a doorbell fits at {@code offset} of {@code seg}.
   *
   * @throws IllegalArgumentException if the segment is not native, the doorbell does not fit, or
   *     its address is not 4-byte aligned
   */
  public static void check(MemorySegment seg, long offset) {
    if (!seg.isNative()) {
      throw new IllegalArgumentException("a futex doorbell must be in native memory: " + seg);
    }
    if (offset < 0 || offset > seg.byteSize() - SIZE) {
      throw new IllegalArgumentException(
          "a futex doorbell at offset " + offset + " does not fit in " + seg.byteSize() + " bytes");
    }
    if (((seg.address() + offset) & (ALIGNMENT - 1)) != 0) {
      throw new IllegalArgumentException(
          "a futex doorbell must be 4-byte aligned: address 0x"
              + Long.toHexString(seg.address())
              + " + offset "
              + offset);
    }
  }
}
