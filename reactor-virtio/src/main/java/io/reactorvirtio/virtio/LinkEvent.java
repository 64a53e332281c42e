package io.reactorvirtio.virtio;

import org.jspecify.annotations.Nullable;

/**
 * A link's state change and, when it happened because something went wrong, why: the device
 * refused the configuration ({@link ConfigViolationException} naming the register and the value),
 * the peer went silent ({@link LinkDownException}), a ring broke ({@link RingViolationException}).
 *
 * @param state the state the link is in now
 * @param problem why, or {@code null} for an ordinary change (coming up, closing)
 */
public record LinkEvent(LinkState state, @Nullable VirtioException problem) {

  @Override
  public String toString() {
    return problem == null ? state.toString() : state + " (" + problem.getMessage() + ")";
  }
}
