package io.reactorvirtio.virtio;

/** Where a link is in its life, as its {@code states()} stream reports it. */
public enum LinkState {
  /** No live peer: it has not attached yet, or stopped beating (killed, hung, rebooting). */
  DOWN,
  /** A peer is there and the two sides are agreeing on features and rings. */
  NEGOTIATING,
  /** Both sides are attached and alive: queues carry traffic. */
  UP,
  /** The peer broke a ring or the config protocol; a reset is needed before traffic resumes. */
  NEEDS_RESET,
  /** Given up: closed locally or failed beyond recovery. */
  FAILED
}
