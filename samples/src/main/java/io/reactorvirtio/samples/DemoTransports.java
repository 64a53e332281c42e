package io.reactorvirtio.samples;

import io.reactorvirtio.transport.epf.sim.EpfSimOptions;
import io.reactorvirtio.transport.epf.sim.SimulatedEpf;
import io.reactorvirtio.transport.ntb.sim.NtbSimOptions;
import io.reactorvirtio.transport.ntb.sim.SimulatedNtb;
import io.reactorvirtio.vhost.link.VhostShmLink;
import io.reactorvirtio.vhost.transport.VhostTransportLink;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.LinkState;
import io.reactorvirtio.virtio.Virtqueue;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.link.VirtioShmLink;
import io.reactorvirtio.virtio.transport.VirtioTransportLink;
import java.nio.file.Path;
import java.time.Duration;
import reactor.core.publisher.Flux;

/** The demo's three simulated links, behind one small shape per side. */
final class DemoTransports {

  private DemoTransports() {}

  static String describe(String transport) {
    return switch (transport) {
      case "epf" -> "simulated PCIe RC <-> endpoint function (register BAR negotiation, EP doorbell, MSI)";
      case "ntb" -> "simulated NTB host1 <-> host2 (scratchpad negotiation, doorbell bits, memory window)";
      case "shm" -> "plain shared-memory link (header in the file, no negotiation)";
      default -> throw new IllegalArgumentException("transport '" + transport + "': use epf, ntb or shm");
    };
  }

  /** One side of a link as the demo uses it. */
  interface Side extends AutoCloseable {
    Virtqueue queue(int index);

    Flux<LinkState> states();

    default LinkState state() {
      return states().blockFirst();
    }

    default void awaitUp(Duration within) {
      if (states().filter(s -> s == LinkState.UP).blockFirst(within) != LinkState.UP) {
        throw new IllegalStateException("link not UP within " + within);
      }
    }

    @Override
    void close();
  }

  interface DriverSide extends Side {}

  static DriverSide driver(String transport, Path file, ShmLinkOptions options) {
    describe(transport);
    if (transport.equals("shm")) {
      VirtioShmLink link = VirtioShmLink.create(file, options);
      return side(link::queue, link.states(), link::close);
    }
    VirtioTransportLink link = VirtioTransportLink.create(transport.equals("epf")
        ? SimulatedEpf.rootComplex(file, EpfSimOptions.defaults())
        : SimulatedNtb.host1(file, NtbSimOptions.defaults()), options);
    return side(link::queue, link.states(), link::close);
  }

  static Side device(String transport, Path file) {
    describe(transport);
    if (transport.equals("shm")) {
      VhostShmLink link = VhostShmLink.open(file, IdlePolicy.defaults(), Duration.ofSeconds(10));
      return side(link::queue, link.states(), link::close);
    }
    VhostTransportLink link = VhostTransportLink.create(
        transport.equals("epf") ? SimulatedEpf.endpoint(file) : SimulatedNtb.host2(file), ShmLinkOptions.defaults());
    return side(link::queue, link.states(), link::close);
  }

  private static DriverSide side(java.util.function.IntFunction<Virtqueue> queues, Flux<LinkState> states,
      Runnable close) {
    return new DriverSide() {
      @Override
      public Virtqueue queue(int index) {
        return queues.apply(index);
      }

      @Override
      public Flux<LinkState> states() {
        return states;
      }

      @Override
      public void close() {
        close.run();
      }
    };
  }
}
