package io.reactorvirtio.transport.epf.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A Linux device file (sysfs, configfs, {@code /dev/uioN}, VFIO) is missing, has content we cannot
 * parse, or a read, write or system call on it failed. The message names the file and says what
 * was expected; {@link #path()} gives the file.
 */
public class LinuxDeviceException extends UncheckedIOException {

  private static final long serialVersionUID = 1L;

  private final transient Path path;

  /**
   * @param path the file or directory concerned
   * @param message what went wrong, naming the file
   * @param cause the underlying failure, if any
   */
  public LinuxDeviceException(Path path, String message, @Nullable Throwable cause) {
    super(message, cause instanceof IOException io ? io : new IOException(message, cause));
    this.path = path;
  }

  /**
   * @param path the file or directory concerned
   * @param message what went wrong, naming the file
   */
  public LinuxDeviceException(Path path, String message) {
    this(path, message, null);
  }

  /** The file or directory concerned. */
  public Path path() {
    return path;
  }
}
