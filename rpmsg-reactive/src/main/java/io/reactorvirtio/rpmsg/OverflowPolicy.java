package io.reactorvirtio.rpmsg;

/**
 * What an endpoint does when its bounded receive queue is full.
 *
 * <p>All endpoints of a bus share one inbound ring, and the ring delivers in order, so a lossless
 * policy cannot skip one endpoint's message to reach another's: {@link #BACKPRESSURE} is
 * head-of-line blocking by design — while any endpoint's queue is full the bus stops giving buffers
 * back to the ring, the peer's senders stall (on every endpoint), and nothing is lost.
 * {@link #DROP} keeps the other endpoints flowing at the cost of this endpoint's messages, each
 * drop counted.
 */
public enum OverflowPolicy {
  /** Default: lossless; a full queue stops ring credit for the whole bus until it drains. */
  BACKPRESSURE,
  /** Opt-in: a message for a full queue is released at once and counted in {@link RpmsgStats#droppedQueueFull()}. */
  DROP
}
