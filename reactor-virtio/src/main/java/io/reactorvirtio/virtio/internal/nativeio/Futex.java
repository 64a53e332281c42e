package io.reactorvirtio.virtio.internal.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * {@code futex(2)} on a 32-bit word of a native segment, usable across processes.
 *
 * <p>Only the shared (non-{@code FUTEX_PRIVATE_FLAG}) operations are used, so a word in a {@code
 * MAP_SHARED} mapping of a regular or {@code /dev/shm} file wakes waiters in every process that
 * maps it. Futexes never cross a PCIe/NTB link, and on device mappings (BAR, UIO, VFIO) the kernel
 * rejects them ({@code EFAULT}).
 *
 * <p>The word is compared by the kernel in native byte order, which is little-endian on every
 * supported platform, so Java code may access it through little-endian {@code JAVA_INT} layouts.
 *
 * <p>{@link #wake} is static and allocation-free; waiting needs a {@link Waiter} (one per waiting
 * thread) that holds the preallocated timeout and errno buffers.
 */
public final class Futex {

  /** {@link Waiter#await} result: the call returned after a wake-up (possibly spurious). */
  public static final int WOKEN = 0;

  /** {@link Waiter#await} result: the word did not hold the expected value ({@code EAGAIN}). */
  public static final int EAGAIN_VALUE_CHANGED = 1;

  /** {@link Waiter#await} result: the timeout passed ({@code ETIMEDOUT}). */
  public static final int TIMED_OUT = 2;

  /** {@link Waiter#await} result: a signal interrupted the wait ({@code EINTR}). */
  public static final int INTERRUPTED = 3;

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private Futex() {}

  /**
   * {@code FUTEX_WAKE}: wakes up to {@code count} threads (of any process) waiting on the word.
   * Never blocks, allocates nothing, callable from any thread.
   *
   * @param seg a native segment containing the word
   * @param offset byte offset of the word; {@code seg.address() + offset} must be 4-aligned
   * @param count the most waiters to wake ({@link Integer#MAX_VALUE} for all)
   * @return the number of waiters woken, or -1 if the system call failed (errno is not captured
   *     on this path; {@link #wakeFailure} explains a failure)
   * @throws IllegalArgumentException if the segment is not native or the word is misaligned
   * @throws IndexOutOfBoundsException if the word is not inside the segment
   * @throws IllegalStateException if the segment's scope is closed
   */
  public static int wake(MemorySegment seg, long offset, int count) {
    long uaddr = wordAddress(seg, offset);
    return (int) Libc.futexNoErrno(uaddr, Libc.FUTEX_WAKE, count, 0L);
  }

  /**
   * Diagnoses a failed {@link #wake}: repeats a {@code FUTEX_WAKE} of zero waiters (no side
   * effect) with errno captured and returns the exception describing it. Allocates; error path
   * only.
   */
  public static NativeException wakeFailure(MemorySegment seg, long offset) {
    long uaddr = wordAddress(seg, offset);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment capture = Libc.newCaptureSegment(arena);
      long r = Libc.syscall4(capture, Libc.SYS_FUTEX, uaddr, Libc.FUTEX_WAKE, 0, 0L);
      int errno = r < 0 ? Libc.errno(capture) : 0;
      return new NativeException(
          "futex(FUTEX_WAKE)", errno, "word at 0x" + Long.toHexString(uaddr));
    }
  }

  /** Creates a waiter for the calling thread; close it when the thread stops waiting. */
  public static Waiter newWaiter() {
    return new Waiter();
  }

  /** Validates the word and returns its address. Allocation-free unless it throws. */
  static long wordAddress(MemorySegment seg, long offset) {
    if (!seg.isNative()) {
      throw new IllegalArgumentException("a futex word must be in native memory: " + seg);
    }
    Objects.checkFromIndexSize(offset, Integer.BYTES, seg.byteSize());
    if (!seg.scope().isAlive()) {
      throw new IllegalStateException("the segment holding the futex word is closed");
    }
    long address = seg.address() + offset;
    if ((address & (Integer.BYTES - 1)) != 0) {
      throw new IllegalArgumentException(
          "a futex word must be 4-byte aligned: address 0x"
              + Long.toHexString(seg.address())
              + " + offset "
              + offset);
    }
    return address;
  }

  /**
   * Waits on futex words for one thread at a time: owns a preallocated {@code struct timespec} and
   * errno-capture buffer, so {@link #await} allocates nothing.
   *
   * <p>Not thread-safe: use one waiter per waiting thread. {@link #close()} must not run while
   * {@link #await} is blocked (it then throws {@link IllegalStateException}).
   */
  public static final class Waiter implements AutoCloseable {

    private final Arena arena;
    private final MemorySegment capture;
    private final MemorySegment timespec;

    private Waiter() {
      this.arena = Arena.ofShared();
      this.capture = Libc.newCaptureSegment(arena);
      this.timespec = arena.allocate(2 * Long.BYTES, Long.BYTES);
    }

    /**
     * {@code FUTEX_WAIT}: sleeps while the word holds {@code expected}, until a {@link
     * Futex#wake}, the timeout, or a signal. Java thread interruption does not end the wait.
     *
     * @param seg a native segment containing the word
     * @param offset byte offset of the word; {@code seg.address() + offset} must be 4-aligned
     * @param expected the value the word must hold for the thread to sleep
     * @param timeoutNanos relative timeout; negative waits without bound, 0 only checks the value
     * @return {@link #WOKEN}, {@link #EAGAIN_VALUE_CHANGED}, {@link #TIMED_OUT} or {@link
     *     #INTERRUPTED}
     * @throws NativeException for any other failure (e.g. {@code EFAULT}, {@code EINVAL})
     * @throws IllegalArgumentException if the segment is not native or the word is misaligned
     * @throws IndexOutOfBoundsException if the word is not inside the segment
     * @throws IllegalStateException if this waiter or the segment is closed
     */
    public int await(MemorySegment seg, long offset, int expected, long timeoutNanos) {
      long uaddr = wordAddress(seg, offset);
      long timeout;
      if (timeoutNanos < 0) {
        timeout = 0L; // NULL: no timeout
      } else {
        timespec.set(JAVA_LONG, 0L, timeoutNanos / NANOS_PER_SECOND);
        timespec.set(JAVA_LONG, Long.BYTES, timeoutNanos % NANOS_PER_SECOND);
        timeout = timespec.address();
      }
      long r = Libc.syscall4(capture, Libc.SYS_FUTEX, uaddr, Libc.FUTEX_WAIT, expected, timeout);
      if (r == 0) {
        return WOKEN;
      }
      int errno = Libc.errno(capture);
      return switch (errno) {
        case Libc.EAGAIN -> EAGAIN_VALUE_CHANGED;
        case Libc.ETIMEDOUT -> TIMED_OUT;
        case Libc.EINTR -> INTERRUPTED;
        default ->
            throw new NativeException(
                "futex(FUTEX_WAIT)", errno, "word at 0x" + Long.toHexString(uaddr));
      };
    }

    /** Frees the buffers; idempotent. */
    @Override
    public void close() {
      if (arena.scope().isAlive()) {
        arena.close();
      }
    }
  }

  /**
   * Waits on several futex words at once with {@code futex_waitv(2)} (Linux 5.16+): returns as
   * soon as any of them is woken or no longer holds its expected value. Lets one poller thread
   * serve several links. Preallocates its {@code struct futex_waitv} array; allocation-free per
   * wait. Not thread-safe: one per waiting thread.
   *
   * <pre>
   * struct futex_waitv (24 bytes): u64 val @0, u64 uaddr @8, u32 flags @16 (FUTEX_32 = 2), u32 reserved @20
   * </pre>
   */
  public static final class MultiWaiter implements AutoCloseable {

    /** Most words one wait takes (the kernel's FUTEX_WAITV_MAX). */
    public static final int MAX_WORDS = 128;

    private static final long WAITV_SIZE = 24;
    private static final int FUTEX_32 = 2;
    private static final int CLOCK_MONOTONIC = 1;

    private final Arena arena;
    private final MemorySegment capture;
    private final MemorySegment waitv;
    private final MemorySegment timespec;
    private int count;

    public MultiWaiter() {
      this.arena = Arena.ofShared();
      this.capture = Libc.newCaptureSegment(arena);
      this.waitv = arena.allocate(WAITV_SIZE * MAX_WORDS, 8);
      this.timespec = arena.allocate(2 * Long.BYTES, Long.BYTES);
    }

    /** Forgets the words set so far. */
    public void clear() {
      count = 0;
    }

    /** Adds a word: wait while it holds {@code expected}. */
    public void add(MemorySegment seg, long offset, int expected) {
      if (count == MAX_WORDS) {
        throw new IllegalStateException("futex_waitv takes at most " + MAX_WORDS + " words");
      }
      long uaddr = wordAddress(seg, offset);
      long base = count * WAITV_SIZE;
      waitv.set(JAVA_LONG, base, Integer.toUnsignedLong(expected));
      waitv.set(JAVA_LONG, base + 8, uaddr);
      waitv.set(ValueLayout.JAVA_INT, base + 16, FUTEX_32);
      waitv.set(ValueLayout.JAVA_INT, base + 20, 0);
      count++;
    }

    public int count() {
      return count;
    }

    /**
     * Sleeps until one word is woken or changed, the timeout passes, or a signal arrives.
     *
     * @param timeoutNanos relative timeout; negative waits without bound
     * @return {@link #WOKEN}, {@link #EAGAIN_VALUE_CHANGED}, {@link #TIMED_OUT} or
     *     {@link #INTERRUPTED}
     * @throws NativeException for other failures, e.g. {@code ENOSYS} before Linux 5.16
     */
    public int await(long timeoutNanos) {
      long timeout = 0L;
      if (timeoutNanos >= 0) {
        // futex_waitv takes an absolute time; System.nanoTime is CLOCK_MONOTONIC on Linux.
        long deadline = System.nanoTime() + timeoutNanos;
        timespec.set(JAVA_LONG, 0L, deadline / NANOS_PER_SECOND);
        timespec.set(JAVA_LONG, Long.BYTES, deadline % NANOS_PER_SECOND);
        timeout = timespec.address();
      }
      long r = Libc.syscall5(capture, Libc.SYS_FUTEX_WAITV, waitv.address(), count, 0L, timeout, CLOCK_MONOTONIC);
      if (r >= 0) {
        return WOKEN;
      }
      int errno = Libc.errno(capture);
      return switch (errno) {
        case Libc.EAGAIN -> EAGAIN_VALUE_CHANGED;
        case Libc.ETIMEDOUT -> TIMED_OUT;
        case Libc.EINTR -> INTERRUPTED;
        default -> throw new NativeException("futex_waitv", errno, count + " words");
      };
    }

    @Override
    public void close() {
      if (arena.scope().isAlive()) {
        arena.close();
      }
    }
  }
}
