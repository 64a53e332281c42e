package io.reactorvirtio.virtio.internal.nativeio;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.jspecify.annotations.Nullable;

/**
 * A libc call or system call failed; carries the call's name and {@code errno}.
 *
 * <p>Message format: {@code futex(FUTEX_WAIT) failed: errno 14 (EFAULT)}, optionally followed by
 * {@code : <detail>}.
 */
public final class NativeException extends UncheckedIOException {

  private final String call;
  private final int errno;

  /**
   * @param call the call as it should appear in the message, e.g. {@code "futex(FUTEX_WAIT)"}
   * @param errno the errno the call left (0 if unknown)
   */
  public NativeException(String call, int errno) {
    this(call, errno, null);
  }

  /**
   * @param call the call as it should appear in the message
   * @param errno the errno the call left (0 if unknown)
   * @param detail appended to the message when not null (e.g. a path)
   */
  public NativeException(String call, int errno, @Nullable String detail) {
    this(message(call, errno, detail), call, errno);
  }

  private NativeException(String message, String call, int errno) {
    super(message, new IOException(message));
    this.call = call;
    this.errno = errno;
  }

  private static String message(String call, int errno, @Nullable String detail) {
    String base = call + " failed: errno " + errno + " (" + errnoName(errno) + ")";
    return detail == null ? base : base + ": " + detail;
  }

  /** The failed call, e.g. {@code "futex(FUTEX_WAIT)"}. */
  public String call() {
    return call;
  }

  /** The errno value (Linux, asm-generic numbering). */
  public int errno() {
    return errno;
  }

  /** Symbolic name of a common errno value ({@code "EFAULT"}), or {@code "?"}. */
  public static String errnoName(int errno) {
    // Libc's constants are compile-time constants: using them does not initialise Libc.
    return switch (errno) {
      case Libc.EPERM -> "EPERM";
      case Libc.ENOENT -> "ENOENT";
      case Libc.EINTR -> "EINTR";
      case Libc.EIO -> "EIO";
      case Libc.EBADF -> "EBADF";
      case Libc.EAGAIN -> "EAGAIN";
      case Libc.ENOMEM -> "ENOMEM";
      case Libc.EACCES -> "EACCES";
      case Libc.EFAULT -> "EFAULT";
      case Libc.EBUSY -> "EBUSY";
      case Libc.EEXIST -> "EEXIST";
      case Libc.ENODEV -> "ENODEV";
      case Libc.EINVAL -> "EINVAL";
      case Libc.ENFILE -> "ENFILE";
      case Libc.EMFILE -> "EMFILE";
      case Libc.ENOSPC -> "ENOSPC";
      case Libc.ENOSYS -> "ENOSYS";
      case Libc.EOVERFLOW -> "EOVERFLOW";
      case Libc.ETIMEDOUT -> "ETIMEDOUT";
      default -> "?";
    };
  }
}
