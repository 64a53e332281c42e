package io.reactorvirtio.rpmsg;

/** Control-plane events of a bus: {@link RpmsgBus#channelEvents()}. */
public sealed interface ChannelEvent {

  /** A channel was announced (NS CREATE), by the peer or by us. */
  record Created(RpmsgChannel channel) implements ChannelEvent {}

  /** A channel was withdrawn (NS DESTROY), by the peer or by us. */
  record Destroyed(RpmsgChannel channel) implements ChannelEvent {}

  /** The link under the bus went down; a {@link Destroyed} follows for each of the peer's channels. */
  record LinkDown(Throwable cause) implements ChannelEvent {}

  /** The link under the bus is up: when the bus starts, and when it is re-attached after a {@link LinkDown}. */
  record LinkUp() implements ChannelEvent {}
}
