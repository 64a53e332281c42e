package io.reactorvirtio.transport.openamp;

import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.transport.openamp.OpenAmpOptions.SocketRole;
import io.reactorvirtio.transport.openamp.OpenAmpOptions.VirtioRole;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Peer process for {@link OpenAmpTwoProcessIT}, in the role of OpenAMP's {@code rpmsg-echo}: the
 * DEVICE side of an OpenAMP link, announcing the demo channel and echoing. Arguments: file,
 * socket, socket role (SERVER/CLIENT), number of messages to echo, then {@code exit} or {@code
 * stay} (keep the link open until killed).
 */
public final class OpenAmpDevicePeer {

  private OpenAmpDevicePeer() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    Path socket = Path.of(args[1]);
    SocketRole role = SocketRole.valueOf(args[2]);
    int n = Integer.parseInt(args[3]);
    boolean stay = args.length > 4 && args[4].equals("stay");
    Duration t = Duration.ofSeconds(60);
    try (OpenAmpLink link = OpenAmpLink.open(OpenAmpOptions.of(role, VirtioRole.DEVICE)
            .withFile(file).withSocket(socket).withConnectTimeout(t).withDriverOkTimeout(t));
        RpmsgBus bus = RpmsgEcho.bus(link, "peer")) {
      System.out.println("ATTACHED");
      int echoed = RpmsgEcho.serve(bus, n, t).block(t);
      System.out.println("ECHOED " + echoed);
      if (stay) {
        Thread.sleep(Long.MAX_VALUE);
      }
    }
    System.out.println("CLOSED");
  }
}
