package io.reactorvirtio.rpmsg.virtio;

import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.rpmsg.RpmsgOptions;
import io.reactorvirtio.rpmsg.internal.bus.VirtioRpmsgBus;
import io.reactorvirtio.vhost.link.VhostShmLink;
import io.reactorvirtio.virtio.LinkState;
import io.reactorvirtio.virtio.Virtqueue;
import io.reactorvirtio.vhost.transport.VhostTransportLink;
import io.reactorvirtio.virtio.transport.VirtioTransportLink;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import io.reactorvirtio.virtio.link.VirtioShmLink;

/**
 * Creates {@link RpmsgBus}es over the virtqueues of an rpmsg device (virtio id 7). The bus is
 * role-agnostic: it takes the queue it receives on and the queue it sends on. Driver role (virtio,
 * owns the rings, Linux {@code virtio_rpmsg_bus}, OpenAMP HOST): receive on queue 0, send on queue
 * 1. Device role (vhost, OpenAMP REMOTE): send on queue 0, receive on queue 1.
 *
 * <pre>{@code
 * try (VirtioShmLink link = VirtioShmLink.create(path, ShmLinkOptions.defaults());
 *      RpmsgBus bus = RpmsgVirtio.driver(link, RpmsgOptions.defaults())) {
 *   RpmsgEndpoint ep = bus.openChannel("rpmsg-echo").block(Duration.ofSeconds(5));
 *   ep.send(Mono.just(MemorySegment.ofArray("hi".getBytes()))).block();
 * }
 * }</pre>
 *
 * <p>Feature negotiation (VIRTIO_RPMSG_F_NS, the address service) belongs to the transport; the
 * bus is told the negotiated set through {@link RpmsgOptions#features()}. Closing the bus leaves
 * the link open.
 */
public final class RpmsgVirtio {

  /** Queue the driver receives on (the device sends on): Linux's "input" vq0. */
  public static final int RX_QUEUE = 0;
  /** Queue the driver sends on (the device receives on): Linux's "output" vq1. */
  public static final int TX_QUEUE = 1;

  private RpmsgVirtio() {}

  /** A bus over {@code inbound} (receive) and {@code outbound} (send) queues of one rpmsg device. */
  public static RpmsgBus bus(Virtqueue inbound, Virtqueue outbound, RpmsgOptions options) {
    return VirtioRpmsgBus.start(inbound, outbound, options);
  }

  /**
   * The driver role on a shared-memory link: receive on queue 0, send on queue 1. The bus follows
   * the link: when the peer dies the bus goes down (its inbound queue fails with link-down), and
   * when the link is UP again — a restarted peer attached to the reset rings — the bus re-attaches
   * to the same queues by itself: endpoints are announced again and rebind to the peer's new
   * announcements.
   */
  public static RpmsgBus driver(VirtioShmLink link, RpmsgOptions options) {
    RpmsgBus bus = bus(link.queue(RX_QUEUE), link.queue(TX_QUEUE), options);
    follow(bus, link.states(), () -> reattach(bus, link));
    return bus;
  }

  /** The device role on a shared-memory link: receive on queue 1, send on queue 0; follows the link. */
  public static RpmsgBus device(VhostShmLink link, RpmsgOptions options) {
    RpmsgBus bus = bus(link.queue(TX_QUEUE), link.queue(RX_QUEUE), options);
    follow(bus, link.states(), () -> reattach(bus, link));
    return bus;
  }

  /**
   * The driver role on a transport link (EPF root complex, NTB host 1, their simulations): receive
   * on queue 0, send on queue 1; follows the link through re-negotiations as {@link
   * #driver(VirtioShmLink, RpmsgOptions)} does.
   */
  public static RpmsgBus driver(VirtioTransportLink link, RpmsgOptions options) {
    RpmsgBus bus = bus(link.queue(RX_QUEUE), link.queue(TX_QUEUE), options);
    follow(bus, link.states(), () -> reattach(bus, link.queue(RX_QUEUE), link.queue(TX_QUEUE)));
    return bus;
  }

  /**
   * The device role on a transport link (EPF endpoint, NTB host 2): the device's queues exist once
   * the driver has set DRIVER_OK, so the bus is there when the link is first UP; it then follows
   * the link (and its queues, which a re-negotiation with other sizes replaces).
   */
  public static Mono<RpmsgBus> device(VhostTransportLink link, RpmsgOptions options) {
    return link.states().filter(s -> s == LinkState.UP).next().map(up -> {
      RpmsgBus bus = bus(link.queue(TX_QUEUE), link.queue(RX_QUEUE), options);
      follow(bus, link.states(), () -> reattach(bus, link.queue(TX_QUEUE), link.queue(RX_QUEUE)));
      return bus;
    });
  }

  /** Re-attaches {@code bus} whenever its link is UP while the bus is down; stops with the link. */
  private static void follow(RpmsgBus bus, Flux<LinkState> states, Runnable reattach) {
    states.filter(s -> s == LinkState.UP).subscribe(up -> {
      if (!bus.isUp()) {
        try {
          reattach.run();
        } catch (IllegalStateException closedOrStillUp) {
          // the bus was closed meanwhile, or it never noticed the link go down: nothing to do
        }
      }
    }, error -> { });
  }

  /**
   * Moves a bus whose link went down ({@link io.reactorvirtio.rpmsg.ChannelEvent.LinkDown}) onto
   * the queues of the link that replaced it: endpoints keep their addresses and subscribers,
   * announced ones are announced again, sends that waited for the link go on, and
   * {@link io.reactorvirtio.rpmsg.ChannelEvent.LinkUp} is emitted.
   *
   * @throws IllegalStateException when the bus is closed or its link is still up
   */
  public static void reattach(RpmsgBus bus, Virtqueue inbound, Virtqueue outbound) {
    if (!(bus instanceof VirtioRpmsgBus b)) {
      throw new IllegalArgumentException("not a bus made by RpmsgVirtio: " + bus);
    }
    b.attach(inbound, outbound);
  }

  /** {@link #reattach(RpmsgBus, Virtqueue, Virtqueue)} in the driver role. */
  public static void reattach(RpmsgBus bus, VirtioShmLink link) {
    reattach(bus, link.queue(RX_QUEUE), link.queue(TX_QUEUE));
  }

  /** {@link #reattach(RpmsgBus, Virtqueue, Virtqueue)} in the device role. */
  public static void reattach(RpmsgBus bus, VhostShmLink link) {
    reattach(bus, link.queue(TX_QUEUE), link.queue(RX_QUEUE));
  }
}
