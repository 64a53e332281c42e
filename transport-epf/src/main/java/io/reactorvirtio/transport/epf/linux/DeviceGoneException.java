package io.reactorvirtio.transport.epf.linux;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The device behind an open file went away: end of file, {@code POLLHUP}/{@code POLLERR}, or
 * {@code EIO}/{@code ENODEV} from a read (a UIO device that was unbound or hot-removed). Not
 * retryable on the same descriptor; reopen the device once it is back.
 */
public final class DeviceGoneException extends LinuxDeviceException {

  private static final long serialVersionUID = 1L;

  /**
   * @param path the device file
   * @param message what was observed
   * @param cause the underlying failure, if any
   */
  public DeviceGoneException(Path path, String message, @Nullable Throwable cause) {
    super(path, message, cause);
  }
}
