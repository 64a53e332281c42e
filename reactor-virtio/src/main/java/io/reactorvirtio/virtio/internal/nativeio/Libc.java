package io.reactorvirtio.virtio.internal.nativeio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * Downcall handles to the few libc functions the framework needs, and Linux constants for the
 * supported architectures (x86_64, aarch64).
 *
 * <p>Every handle except {@link #futexNoErrno} captures {@code errno}: its first parameter is a
 * capture segment from {@link #newCaptureSegment(Arena)}, read back with {@link #errno}. The static
 * wrappers use {@code invokeExact} on constant handles, so they allocate nothing once compiled by
 * C2. (The JDK slices the capture segment on every errno-capturing call; C2's escape analysis
 * removes that object, so C1-compiled or interpreted code allocates 40 bytes per such call.)
 *
 * <p>Blocking calls ({@code read}, {@code poll}, {@code futex}) never use {@code
 * Linker.Option.critical}.
 */
@SuppressWarnings("restricted")
final class Libc {

  // ---- errno values (asm-generic, identical on x86_64 and aarch64) ----
  static final int EPERM = 1;
  static final int ENOENT = 2;
  static final int EINTR = 4;
  static final int EIO = 5;
  static final int EBADF = 9;
  static final int EAGAIN = 11;
  static final int ENOMEM = 12;
  static final int EACCES = 13;
  static final int EFAULT = 14;
  static final int EBUSY = 16;
  static final int EEXIST = 17;
  static final int ENODEV = 19;
  static final int EINVAL = 22;
  static final int ENFILE = 23;
  static final int EMFILE = 24;
  static final int ENOSPC = 28;
  static final int ENOSYS = 38;
  static final int EOVERFLOW = 75;
  static final int ETIMEDOUT = 110;

  // ---- futex(2) ----
  static final int FUTEX_WAIT = 0;
  static final int FUTEX_WAKE = 1;

  // ---- open(2), mmap(2), poll(2) (same values on x86_64 and aarch64) ----
  static final int O_RDONLY = 0;
  static final int O_RDWR = 2;
  static final int O_CLOEXEC = 0x80000;
  static final int PROT_READ = 1;
  static final int PROT_WRITE = 2;
  static final int MAP_SHARED = 1;
  static final short POLLIN = 1;

  /** {@code SYS_futex} for this architecture. */
  static final long SYS_FUTEX;

  /** {@code SYS_futex_waitv} (Linux 5.16+): the same number on x86_64 and aarch64. */
  static final long SYS_FUTEX_WAITV = 449;

  /** The architecture name as the JVM reports it. */
  static final String ARCH = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);

  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LIBC = LINKER.defaultLookup();
  private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");
  private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO_HANDLE =
      CAPTURE_LAYOUT.varHandle(PathElement.groupElement("errno"));

  /** {@code long syscall(long nr, long a1, long a2, long a3, long a4)}, errno captured. */
  private static final MethodHandle SYSCALL4;

  /** {@code long syscall(long nr, long a1, ..., long a5)}, errno captured. */
  private static final MethodHandle SYSCALL5;

  /** The same without errno capture, for the allocation-free any-thread FUTEX_WAKE path. */
  private static final MethodHandle SYSCALL4_NO_ERRNO;

  private static final MethodHandle EVENTFD;
  private static final MethodHandle READ;
  private static final MethodHandle WRITE;
  private static final MethodHandle POLL;
  private static final MethodHandle MMAP;
  private static final MethodHandle MUNMAP;
  private static final MethodHandle OPEN;
  private static final MethodHandle CLOSE;
  private static final MethodHandle GETPAGESIZE;

  static {
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
      throw new UnsupportedOperationException(
          "native I/O needs Linux; os.name is " + System.getProperty("os.name"));
    }
    SYS_FUTEX =
        switch (ARCH) {
          case "amd64", "x86_64" -> 202;
          case "aarch64", "arm64" -> 98;
          default ->
              throw new UnsupportedOperationException(
                  "unsupported architecture for native I/O: os.arch=" + ARCH
                      + " (supported: x86_64/amd64, aarch64)");
        };
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      // Shared words are accessed with little-endian layouts; futex compares native order.
      throw new UnsupportedOperationException("native I/O needs a little-endian platform");
    }
    FunctionDescriptor syscall4 =
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    SYSCALL4 = handle("syscall", syscall4, ERRNO_OPTION, Linker.Option.firstVariadicArg(1));
    SYSCALL4_NO_ERRNO = handle("syscall", syscall4, Linker.Option.firstVariadicArg(1));
    SYSCALL5 = handle("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
        ERRNO_OPTION, Linker.Option.firstVariadicArg(1));
    EVENTFD = handle("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPTION);
    FunctionDescriptor readWrite = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    READ = handle("read", readWrite, ERRNO_OPTION);
    WRITE = handle("write", readWrite, ERRNO_OPTION);
    POLL =
        handle("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_OPTION);
    MMAP =
        handle(
            "mmap",
            FunctionDescriptor.of(
                ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            ERRNO_OPTION);
    MUNMAP = handle("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPTION);
    OPEN =
        handle(
            "open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            ERRNO_OPTION,
            Linker.Option.firstVariadicArg(2));
    CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_OPTION);
    GETPAGESIZE = handle("getpagesize", FunctionDescriptor.of(JAVA_INT));
  }

  private Libc() {}

  private static MethodHandle handle(
      String name, FunctionDescriptor descriptor, Linker.Option... options) {
    MemorySegment symbol =
        LIBC.find(name)
            .orElseThrow(() -> new UnsupportedOperationException("libc symbol not found: " + name));
    return LINKER.downcallHandle(symbol, descriptor, options);
  }

  /** Allocates a segment to pass as the errno-capture argument of the handles. */
  static MemorySegment newCaptureSegment(Arena arena) {
    return arena.allocate(CAPTURE_LAYOUT);
  }

  /** The errno captured into {@code capture} by the last call that used it. */
  static int errno(MemorySegment capture) {
    return (int) ERRNO_HANDLE.get(capture, 0L);
  }

  static long syscall4(MemorySegment capture, long nr, long a1, long a2, long a3, long a4) {
    try {
      return (long) SYSCALL4.invokeExact(capture, nr, a1, a2, a3, a4);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  static long syscall5(MemorySegment capture, long nr, long a1, long a2, long a3, long a4, long a5) {
    try {
      return (long) SYSCALL5.invokeExact(capture, nr, a1, a2, a3, a4, a5);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code syscall(SYS_futex, uaddr, op, val, timeout)} without errno capture. */
  static long futexNoErrno(long uaddr, int op, int val, long timeout) {
    try {
      return (long) SYSCALL4_NO_ERRNO.invokeExact(SYS_FUTEX, uaddr, (long) op, (long) val, timeout);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  static int eventfd(MemorySegment capture, int initval, int flags) {
    try {
      return (int) EVENTFD.invokeExact(capture, initval, flags);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  static long read(MemorySegment capture, int fd, MemorySegment buf, long count) {
    try {
      return (long) READ.invokeExact(capture, fd, buf, count);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  static long write(MemorySegment capture, int fd, MemorySegment buf, long count) {
    try {
      return (long) WRITE.invokeExact(capture, fd, buf, count);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  static int poll(MemorySegment capture, MemorySegment fds, long nfds, int timeoutMillis) {
    try {
      return (int) POLL.invokeExact(capture, fds, nfds, timeoutMillis);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** Returns the mapped address, or -1 ({@code MAP_FAILED}). */
  static long mmap(
      MemorySegment capture, long length, int prot, int flags, int fd, long offset) {
    try {
      MemorySegment p =
          (MemorySegment)
              MMAP.invokeExact(capture, MemorySegment.NULL, length, prot, flags, fd, offset);
      return p.address();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  static int munmap(MemorySegment capture, long address, long length) {
    try {
      return (int) MUNMAP.invokeExact(capture, address, length);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  static int open(MemorySegment capture, MemorySegment path, int flags, int mode) {
    try {
      return (int) OPEN.invokeExact(capture, path, flags, mode);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  static int close(MemorySegment capture, int fd) {
    try {
      return (int) CLOSE.invokeExact(capture, fd);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  static int getpagesize() {
    try {
      return (int) GETPAGESIZE.invokeExact();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException("unexpected checked exception from a downcall", t);
  }
}
