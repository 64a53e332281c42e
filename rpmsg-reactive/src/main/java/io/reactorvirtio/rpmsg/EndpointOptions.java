package io.reactorvirtio.rpmsg;

import org.jspecify.annotations.Nullable;

/**
 * How to create an endpoint.
 *
 * <pre>{@code
 * EndpointOptions.named("echo").announced()             // dynamic address, NS CREATE to the peer
 * EndpointOptions.named("echo").at(1030).to(0x400)      // fixed address, fixed destination
 * EndpointOptions.forChannel(channel)                   // bound to a peer's announced endpoint
 * }</pre>
 *
 * @param name channel name (at most 31 bytes of UTF-8), or "" for an unnamed endpoint
 * @param address the local address, or {@link RpmsgAddress#ANY} for a dynamic one (from 1024)
 * @param destination the default destination, or {@link RpmsgAddress#ANY}: then the endpoint adopts
 *     the address of a peer endpoint announced with the same name, the address the peer assigns
 *     through the address service, or the source of the first message it receives — whichever
 *     comes first (OpenAMP's behaviour)
 * @param announce whether to send NS CREATE on creation (and NS DESTROY on close)
 * @param queueCapacity receive-queue bound, or 0 for the bus default
 * @param overflow policy when the queue is full, or null for the bus default
 */
public record EndpointOptions(String name, int address, int destination, boolean announce, int queueCapacity,
    @Nullable OverflowPolicy overflow) {

  public EndpointOptions {
    if (announce && name.isEmpty()) {
      throw new IllegalArgumentException("an announced endpoint needs a name");
    }
    if (address != RpmsgAddress.ANY && RpmsgAddress.isReserved(address)) {
      throw new IllegalArgumentException("address " + RpmsgAddress.toString(address) + " is reserved");
    }
    if (queueCapacity < 0) {
      throw new IllegalArgumentException("queueCapacity must be >= 0: " + queueCapacity);
    }
  }

  /** A named, unannounced endpoint at a dynamic address with no destination yet. */
  public static EndpointOptions named(String name) {
    return new EndpointOptions(name, RpmsgAddress.ANY, RpmsgAddress.ANY, false, 0, null);
  }

  /** An unnamed endpoint at a dynamic address. */
  public static EndpointOptions anonymous() {
    return named("");
  }

  /** An endpoint bound to a peer's announced channel (what Linux creates on NS CREATE). */
  public static EndpointOptions forChannel(RpmsgChannel channel) {
    return new EndpointOptions(channel.name(), RpmsgAddress.ANY, channel.address(), false, 0, null);
  }

  public EndpointOptions announced() {
    return new EndpointOptions(name, address, destination, true, queueCapacity, overflow);
  }

  public EndpointOptions at(int addr) {
    return new EndpointOptions(name, addr, destination, announce, queueCapacity, overflow);
  }

  public EndpointOptions to(int dst) {
    return new EndpointOptions(name, address, dst, announce, queueCapacity, overflow);
  }

  public EndpointOptions queueCapacity(int n) {
    return new EndpointOptions(name, address, destination, announce, n, overflow);
  }

  public EndpointOptions overflow(OverflowPolicy p) {
    return new EndpointOptions(name, address, destination, announce, queueCapacity, p);
  }
}
