package io.reactorvirtio.transport.epf.sim;

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
 * Peer process for {@link EpfSimTwoProcessIT}: one side of a simulated RC/EP link with an rpmsg bus
 * that announces {@code NAME} and echoes every message on it, until killed. Args: file, {@code rc}
 * or {@code ep}, NAME.
 */
public final class EpfPeer {

  private EpfPeer() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    String name = args[2];
    Duration t = Duration.ofSeconds(30);
    RpmsgBus bus;
    if (args[1].equals("rc")) {
      VirtioTransportLink link = VirtioTransportLink.create(SimulatedEpf.rootComplex(file, EpfSimOptions.defaults()),
          EpfSimTwoProcessIT.OPTIONS);
      bus = RpmsgVirtio.driver(link, RpmsgOptions.defaults().withName("rc-peer"));
      System.out.println("READY");
    } else {
      VhostTransportLink link = VhostTransportLink.create(SimulatedEpf.endpoint(file), EpfSimTwoProcessIT.OPTIONS);
      bus = RpmsgVirtio.device(link, RpmsgOptions.defaults().withName("ep-peer")).block(t);
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
