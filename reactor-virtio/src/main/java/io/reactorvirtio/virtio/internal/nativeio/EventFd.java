package io.reactorvirtio.virtio.internal.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Linux {@code eventfd(2)}: a 64-bit kernel counter with a file descriptor, signalled by writes
 * and consumed by reads; pollable. Local to one kernel; other processes get it only by fd passing.
 * VFIO uses eventfds as interrupt sinks.
 *
 * <p>All buffers are preallocated, so {@link #signal}, {@link #read} and {@link #await} allocate
 * nothing. Writers (any thread) and readers are serialised by two separate locks, each guarding its
 * own buffers.
 *
 * <p>{@link #close()} does not wake a thread blocked in {@link #read} or {@link #await}; stop such
 * threads first (e.g. by signalling).
 */
public final class EventFd implements AutoCloseable {

  /** {@code EFD_SEMAPHORE}: each read returns 1 and decrements the counter. */
  public static final int SEMAPHORE = 1;

  /** {@code EFD_NONBLOCK}: reads of a zero counter fail with {@code EAGAIN} instead of blocking. */
  public static final int NONBLOCK = 0x800;

  /** {@code EFD_CLOEXEC}: the descriptor is closed on {@code exec}. */
  public static final int CLOEXEC = 0x80000;

  /** The largest counter value ({@code 0xfffffffffffffffe}). */
  public static final long MAX_VALUE = -2L;

  private static final int ALL_FLAGS = SEMAPHORE | NONBLOCK | CLOEXEC;
  private static final short POLLNVAL = 0x20;
  private static final long POLLFD_EVENTS = 4;
  private static final long POLLFD_REVENTS = 6;

  private final int fd;
  private final int flags;
  private final AtomicBoolean closed = new AtomicBoolean();

  private final Object readLock = new Object();
  private final MemorySegment readBuffer;
  private final MemorySegment readCapture;
  private final MemorySegment pollFd;

  private final Object writeLock = new Object();
  private final MemorySegment writeBuffer;
  private final MemorySegment writeCapture;

  private EventFd(int fd, int flags, Arena arena) {
    this.fd = fd;
    this.flags = flags;
    this.readBuffer = arena.allocate(JAVA_LONG);
    this.readCapture = Libc.newCaptureSegment(arena);
    this.pollFd = arena.allocate(8, 4);
    this.writeBuffer = arena.allocate(JAVA_LONG);
    this.writeCapture = Libc.newCaptureSegment(arena);
    pollFd.set(JAVA_INT, 0L, fd);
    pollFd.set(JAVA_SHORT, POLLFD_EVENTS, Libc.POLLIN);
  }

  /**
   * Creates an eventfd.
   *
   * @param initial the initial counter value, 0 to {@code 0xffffffff}
   * @param flags a combination of {@link #SEMAPHORE}, {@link #NONBLOCK}, {@link #CLOEXEC}
   * @throws NativeException if {@code eventfd(2)} fails
   */
  public static EventFd create(long initial, int flags) {
    if (initial < 0 || initial > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("initial value must fit in 32 unsigned bits: " + initial);
    }
    if ((flags & ~ALL_FLAGS) != 0) {
      throw new IllegalArgumentException("unknown eventfd flags: 0x" + Integer.toHexString(flags));
    }
    // The buffers live as long as this object: an automatic arena never has to be closed while a
    // thread may still be blocked in a call that uses them.
    Arena arena = Arena.ofAuto();
    MemorySegment capture = Libc.newCaptureSegment(arena);
    int fd = Libc.eventfd(capture, (int) initial, flags);
    if (fd < 0) {
      throw new NativeException("eventfd", Libc.errno(capture));
    }
    return new EventFd(fd, flags, arena);
  }

  /** The file descriptor (for registering with VFIO or an epoll set). */
  public int fd() {
    return fd;
  }

  /**
   * Adds {@code value} to the counter (one 8-byte {@code write}). Blocks only if the counter would
   * overflow and the descriptor is blocking.
   *
   * @param value 0 to {@link #MAX_VALUE} as an unsigned number (i.e. anything but -1)
   * @throws NativeException if the write fails ({@code EAGAIN}: non-blocking and would overflow)
   * @throws IllegalStateException if closed
   */
  public void signal(long value) {
    if (value == -1L) {
      throw new IllegalArgumentException("0xffffffffffffffff cannot be written to an eventfd");
    }
    ensureOpen();
    synchronized (writeLock) {
      writeBuffer.set(JAVA_LONG, 0L, value);
      while (true) {
        long n = Libc.write(writeCapture, fd, writeBuffer, Long.BYTES);
        if (n == Long.BYTES) {
          return;
        }
        int errno = n < 0 ? Libc.errno(writeCapture) : 0;
        if (errno != Libc.EINTR) {
          throw new NativeException("write(eventfd)", errno, "fd " + fd);
        }
      }
    }
  }

  /**
   * Reads and resets the counter (or, with {@link #SEMAPHORE}, returns 1 and decrements it).
   * Blocks while the counter is 0, unless {@link #NONBLOCK}, in which case it returns 0.
   *
   * @throws NativeException if the read fails
   * @throws IllegalStateException if closed
   */
  public long read() {
    ensureOpen();
    synchronized (readLock) {
      while (true) {
        long n = Libc.read(readCapture, fd, readBuffer, Long.BYTES);
        if (n == Long.BYTES) {
          return readBuffer.get(JAVA_LONG, 0L);
        }
        int errno = n < 0 ? Libc.errno(readCapture) : 0;
        if (errno == Libc.EAGAIN && (flags & NONBLOCK) != 0) {
          return 0L;
        }
        if (errno != Libc.EINTR) {
          throw new NativeException("read(eventfd)", errno, "fd " + fd);
        }
      }
    }
  }

  /**
   * Waits until the counter is non-zero ({@code poll(POLLIN)}), without consuming it.
   *
   * @param timeoutMillis the longest wait; negative waits without bound, 0 only checks
   * @return true if readable; false on timeout or when a signal interrupted the wait
   * @throws NativeException if {@code poll} fails
   * @throws IllegalStateException if closed
   */
  public boolean await(long timeoutMillis) {
    ensureOpen();
    int timeout = timeoutMillis < 0 ? -1 : (int) Math.min(timeoutMillis, Integer.MAX_VALUE);
    synchronized (readLock) {
      pollFd.set(JAVA_SHORT, POLLFD_REVENTS, (short) 0);
      int n = Libc.poll(readCapture, pollFd, 1, timeout);
      if (n > 0) {
        short revents = pollFd.get(JAVA_SHORT, POLLFD_REVENTS);
        if ((revents & POLLNVAL) != 0) {
          throw new NativeException("poll(eventfd)", Libc.EBADF, "fd " + fd + " is not open");
        }
        return (revents & Libc.POLLIN) != 0;
      }
      if (n == 0) {
        return false;
      }
      int errno = Libc.errno(readCapture);
      if (errno == Libc.EINTR) {
        return false;
      }
      throw new NativeException("poll(eventfd)", errno, "fd " + fd);
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  /** Closes the descriptor; a second call does nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment capture = Libc.newCaptureSegment(arena);
      if (Libc.close(capture, fd) < 0) {
        int errno = Libc.errno(capture);
        if (errno != Libc.EINTR) { // Linux closes the descriptor even on EINTR
          throw new NativeException("close(eventfd)", errno, "fd " + fd);
        }
      }
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("eventfd " + fd + " is closed");
    }
  }

  @Override
  public String toString() {
    return "EventFd[fd=" + fd + ", flags=0x" + Integer.toHexString(flags)
        + (closed.get() ? ", closed]" : "]");
  }
}
