package io.reactorvirtio.transport.ntb.sim;

import io.reactorvirtio.rpmsg.EndpointOptions;
import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.rpmsg.RpmsgEndpoint;
import io.reactorvirtio.rpmsg.RpmsgMessage;
import io.reactorvirtio.rpmsg.RpmsgOptions;
import io.reactorvirtio.rpmsg.virtio.RpmsgVirtio;
import io.reactorvirtio.vhost.transport.VhostTransportLink;
import io.reactorvirtio.virtio.transport.VirtioTransportLink;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Peer process for {@link NtbSimTwoProcessIT}: one host of a simulated NTB link with an rpmsg bus
 * that announces {@code NAME} and echoes every message on it, until killed. Args: file, {@code
 * host1} (virtio driver; creates the file or takes a killed HOST1's file over) or {@code host2}
 * (vhost device), NAME.
 */
public final class NtbPeer {

  private NtbPeer() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    String name = args[2];
    Duration t = Duration.ofSeconds(30);
    RpmsgBus bus;
    if (args[1].equals("host1")) {
      VirtioTransportLink link = VirtioTransportLink.create(SimulatedNtb.host1(file, NtbSimOptions.defaults()),
          NtbSimTwoProcessIT.OPTIONS);
      bus = RpmsgVirtio.driver(link, RpmsgOptions.defaults().withName("host1-peer"));
      System.out.println("READY");
    } else {
      VhostTransportLink link = VhostTransportLink.create(SimulatedNtb.host2(file), NtbSimTwoProcessIT.OPTIONS);
      bus = RpmsgVirtio.device(link, RpmsgOptions.defaults().withName("host2-peer")).block(t);
    }
    RpmsgEndpoint ep = bus.createEndpoint(EndpointOptions.named(name).announced()).block(t);
    System.out.println("UP " + ep.address());
    ep.send(ep.receive(), (RpmsgMessage m, MemorySegment buf) -> {
      int len = m.length();
      m.copyTo(buf, 0);
      m.release();
      return len;
    }).block();
  }
}
