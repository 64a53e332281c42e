package io.reactorvirtio.transport.ntb.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * An {@code ntb_tool} debugfs file is missing, holds text we cannot parse, or a read or write of it
 * failed (the kernel returns {@code EINVAL} for malformed commands, {@code EIO}/{@code ENXIO} for a
 * memory window that is not set up). The message names the file; {@link #path()} gives it.
 */
public class NtbToolException extends UncheckedIOException {

  private static final long serialVersionUID = 1L;

  private final transient Path path;

  /**
   * @param path the file concerned
   * @param message what went wrong, naming the file
   * @param cause the underlying failure, if any
   */
  public NtbToolException(Path path, String message, @Nullable Throwable cause) {
    super(message, cause instanceof IOException io ? io : new IOException(message, cause));
    this.path = path;
  }

  /** The file concerned. */
  public Path path() {
    return path;
  }
}
