package io.reactorvirtio.rpmsg;

import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * rpmsg over one virtio device (id 7), in either role: the application API is the same whether
 * this side owns the rings (virtio driver) or reaches them (vhost device). Created by
 * {@link io.reactorvirtio.rpmsg.virtio.RpmsgVirtio}.
 *
 * <pre>{@code
 * RpmsgBus bus = RpmsgVirtio.driver(link, RpmsgOptions.defaults());
 * RpmsgChannel ch = bus.channel("rpmsg-echo").block(Duration.ofSeconds(5));
 * RpmsgEndpoint ep = bus.createEndpoint(EndpointOptions.forChannel(ch)).block();
 * ep.send(Mono.just(MemorySegment.ofArray("hi".getBytes()))).block();
 * }</pre>
 */
public interface RpmsgBus extends AutoCloseable {

  RpmsgOptions options();

  /**
   * Creates an endpoint when subscribed: allocates or claims its address, then announces it (NS
   * CREATE) if asked to. Fails with {@link RpmsgAddressInUseException} for a taken fixed address.
   */
  Mono<RpmsgEndpoint> createEndpoint(EndpointOptions options);

  /** The peer's channel of that name: at once if announced already, else when it is (bounded by the bind timeout). */
  default Mono<RpmsgChannel> channel(String name) {
    return channel(name, options().bindTimeout());
  }

  Mono<RpmsgChannel> channel(String name, Duration timeout);

  /** The peer's channel by name, bound to a new local endpoint (Linux's channel creation, plus the address-service acknowledgement when negotiated). */
  default Mono<RpmsgEndpoint> openChannel(String name) {
    return channel(name).flatMap(ch -> createEndpoint(EndpointOptions.forChannel(ch)));
  }

  /** Channels the peer has announced and not withdrawn. */
  List<RpmsgChannel> remoteChannels();

  /** Name-service and link events from now on (hot; both directions). */
  Flux<ChannelEvent> channelEvents();

  /**
   * Whether the link under the bus is up. When it goes down ({@link ChannelEvent.LinkDown}) the
   * peer's channels are destroyed, endpoints forget the peer addresses they learned and drop what
   * they had queued, but stay open with their subscribers; sends wait (bounded) for the link to be
   * re-attached ({@code RpmsgVirtio.reattach}).
   */
  boolean isUp();

  /** Largest payload of one outgoing message (outbound buffer size − 16). */
  int mtu();

  RpmsgStats stats();

  /** Withdraws announced endpoints (best effort), closes all endpoints and stops receiving. The link stays open. */
  @Override
  void close();
}
