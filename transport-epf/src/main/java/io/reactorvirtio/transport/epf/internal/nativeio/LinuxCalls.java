package io.reactorvirtio.transport.epf.internal.nativeio;

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

/**
 * libc downcalls with {@code errno} capture (FACTS §6): the first argument of every call is a
 * capture segment from {@link #newCaptureSegment}, read back with {@link #errno}. {@code open} and
 * {@code ioctl} are variadic ({@code firstVariadicArg(2)}); the ioctl request is passed as a
 * {@code long} so codes like {@code 0x3B6E} and {@code 0xC0..} go through without sign extension.
 * Blocking calls ({@code read}, {@code poll}) never use {@code Linker.Option.critical}.
 */
@SuppressWarnings("restricted")
public final class LinuxCalls {

  // errno values (asm-generic; x86_64 and aarch64)
  public static final int EINTR = 4;
  public static final int EIO = 5;
  public static final int EAGAIN = 11;
  public static final int ENODEV = 19;
  public static final int EINVAL = 22;

  // open(2)
  public static final int O_RDONLY = 0;
  public static final int O_WRONLY = 1;
  public static final int O_RDWR = 2;
  public static final int O_NONBLOCK = 0x800;
  public static final int O_CLOEXEC = 0x80000;

  // poll(2): struct pollfd { int fd; short events; short revents; } = 8 bytes
  public static final short POLLIN = 1;
  public static final short POLLERR = 8;
  public static final short POLLHUP = 0x10;
  public static final short POLLNVAL = 0x20;
  public static final long POLLFD_SIZE = 8;
  public static final long POLLFD_EVENTS = 4;
  public static final long POLLFD_REVENTS = 6;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LIBC = LINKER.defaultLookup();
  private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
  private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO_HANDLE =
      CAPTURE_LAYOUT.varHandle(PathElement.groupElement("errno"));

  private static final MethodHandle OPEN = handle("open",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ERRNO,
      Linker.Option.firstVariadicArg(2));
  private static final MethodHandle CLOSE =
      handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO);
  private static final MethodHandle READ =
      handle("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO);
  private static final MethodHandle WRITE =
      handle("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO);
  private static final MethodHandle POLL =
      handle("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO);
  private static final MethodHandle IOCTL_PTR = handle("ioctl",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO,
      Linker.Option.firstVariadicArg(2));
  private static final MethodHandle IOCTL_LONG = handle("ioctl",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO,
      Linker.Option.firstVariadicArg(2));

  private static final MethodHandle MMAP = handle("mmap",
      FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
      ERRNO);
  private static final MethodHandle MUNMAP =
      handle("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO);

  // mmap(2)
  public static final int PROT_READ = 1;
  public static final int PROT_WRITE = 2;
  public static final int MAP_SHARED = 1;

  private LinuxCalls() {}

  /** {@code mmap(NULL, length, prot, flags, fd, offset)}; returns the address or -1. */
  public static long mmap(MemorySegment capture, long length, int prot, int flags, int fd, long offset) {
    try {
      return (long) MMAP.invokeExact(capture, 0L, length, prot, flags, fd, offset);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int munmap(MemorySegment capture, long address, long length) {
    try {
      return (int) MUNMAP.invokeExact(capture, address, length);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  private static MethodHandle handle(String name, FunctionDescriptor d, Linker.Option... options) {
    MemorySegment symbol = LIBC.find(name)
        .orElseThrow(() -> new UnsupportedOperationException("libc symbol not found: " + name));
    return LINKER.downcallHandle(symbol, d, options);
  }

  /** A segment for the errno-capture argument. */
  public static MemorySegment newCaptureSegment(Arena arena) {
    return arena.allocate(CAPTURE_LAYOUT);
  }

  /** The errno the last call using {@code capture} left. */
  public static int errno(MemorySegment capture) {
    return (int) ERRNO_HANDLE.get(capture, 0L);
  }

  public static int open(MemorySegment capture, MemorySegment path, int flags, int mode) {
    try {
      return (int) OPEN.invokeExact(capture, path, flags, mode);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int close(MemorySegment capture, int fd) {
    try {
      return (int) CLOSE.invokeExact(capture, fd);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static long read(MemorySegment capture, int fd, MemorySegment buf, long count) {
    try {
      return (long) READ.invokeExact(capture, fd, buf, count);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static long write(MemorySegment capture, int fd, MemorySegment buf, long count) {
    try {
      return (long) WRITE.invokeExact(capture, fd, buf, count);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int poll(MemorySegment capture, MemorySegment fds, long nfds, int timeoutMillis) {
    try {
      return (int) POLL.invokeExact(capture, fds, nfds, timeoutMillis);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code ioctl(fd, request, pointer)}. */
  public static int ioctl(MemorySegment capture, int fd, long request, MemorySegment arg) {
    try {
      return (int) IOCTL_PTR.invokeExact(capture, fd, request, arg);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code ioctl(fd, request, value)} for requests that take an integer argument (or none: 0). */
  public static int ioctl(MemorySegment capture, int fd, long request, long arg) {
    try {
      return (int) IOCTL_LONG.invokeExact(capture, fd, request, arg);
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
