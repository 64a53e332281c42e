package io.reactorvirtio.transport.openamp;

import io.reactorvirtio.virtio.IdlePolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an {@link OpenAmpLink}. The defaults are OpenAMP's: file {@code
 * /dev/shm/openamp.shm}, socket {@code /tmp/openamp.event.0}, rpmsg (vdev id 7), 50 s to connect.
 * The socket role and the virtio role are independent (FACTS §9.4): either process may be the
 * socket server.
 *
 * @param file the shared file
 * @param socket the kick socket's path
 * @param socketRole SERVER writes the resource table, then unlinks, binds, listens and accepts one
 *     peer; CLIENT retries connecting
 * @param virtioRole DRIVER owns the rings (OpenAMP's RPMSG_HOST), DEVICE attaches to them
 *     (RPMSG_REMOTE)
 * @param idle how the link's poller idles
 * @param vdevId the virtio device id of the vdev entry to use
 * @param connectTimeout bound on the server's accept and on the client's connect retries
 * @param driverOkTimeout how long the DEVICE role waits for the driver's DRIVER_OK
 * @param unlinkOnClose delete the shared file on close (OpenAMP never does)
 */
public record OpenAmpOptions(Path file, Path socket, SocketRole socketRole, VirtioRole virtioRole, IdlePolicy idle,
    int vdevId, Duration connectTimeout, Duration driverOkTimeout, boolean unlinkOnClose) {

  /** Which end of the kick socket this process is. */
  public enum SocketRole { SERVER, CLIENT }

  /** Which virtio role this process plays on the rings. */
  public enum VirtioRole { DRIVER, DEVICE }

  public static final Path DEFAULT_FILE = Path.of("/dev/shm/openamp.shm");
  public static final Path DEFAULT_SOCKET = Path.of("/tmp/openamp.event.0");

  public OpenAmpOptions {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(socket, "socket");
    Objects.requireNonNull(socketRole, "socketRole");
    Objects.requireNonNull(virtioRole, "virtioRole");
    Objects.requireNonNull(idle, "idle");
    if (connectTimeout.isNegative() || driverOkTimeout.isNegative()) {
      throw new IllegalArgumentException("negative timeout");
    }
  }

  /** OpenAMP's defaults for the given roles. */
  public static OpenAmpOptions of(SocketRole socketRole, VirtioRole virtioRole) {
    return new OpenAmpOptions(DEFAULT_FILE, DEFAULT_SOCKET, socketRole, virtioRole, IdlePolicy.defaults(),
        OpenAmpLayout.VIRTIO_ID_RPMSG, Duration.ofSeconds(50), Duration.ofSeconds(50), false);
  }

  public OpenAmpOptions withFile(Path f) {
    return new OpenAmpOptions(f, socket, socketRole, virtioRole, idle, vdevId, connectTimeout, driverOkTimeout,
        unlinkOnClose);
  }

  public OpenAmpOptions withSocket(Path s) {
    return new OpenAmpOptions(file, s, socketRole, virtioRole, idle, vdevId, connectTimeout, driverOkTimeout,
        unlinkOnClose);
  }

  public OpenAmpOptions withIdle(IdlePolicy p) {
    return new OpenAmpOptions(file, socket, socketRole, virtioRole, p, vdevId, connectTimeout, driverOkTimeout,
        unlinkOnClose);
  }

  public OpenAmpOptions withVdevId(int id) {
    return new OpenAmpOptions(file, socket, socketRole, virtioRole, idle, id, connectTimeout, driverOkTimeout,
        unlinkOnClose);
  }

  public OpenAmpOptions withConnectTimeout(Duration t) {
    return new OpenAmpOptions(file, socket, socketRole, virtioRole, idle, vdevId, t, driverOkTimeout,
        unlinkOnClose);
  }

  public OpenAmpOptions withDriverOkTimeout(Duration t) {
    return new OpenAmpOptions(file, socket, socketRole, virtioRole, idle, vdevId, connectTimeout, t,
        unlinkOnClose);
  }

  public OpenAmpOptions withUnlinkOnClose(boolean on) {
    return new OpenAmpOptions(file, socket, socketRole, virtioRole, idle, vdevId, connectTimeout, driverOkTimeout,
        on);
  }
}
