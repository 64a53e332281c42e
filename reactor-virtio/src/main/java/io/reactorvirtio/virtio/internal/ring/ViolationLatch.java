package io.reactorvirtio.virtio.internal.ring;

import io.reactorvirtio.virtio.RingViolation;
import io.reactorvirtio.virtio.RingViolationException;
import org.jspecify.annotations.Nullable;

/**
 * Linux {@code BAD_RING}: the first protocol violation latches the queue broken; every later
 * operation returns {@link #BROKEN} instead of trying again. Only the violation path allocates.
 */
public final class ViolationLatch {

  /** Outcome code of a ring operation on a broken queue. */
  public static final int BROKEN = -2;

  private @Nullable RingViolation violation;
  private String field = "";
  private long value;

  /** Latches the first violation and returns {@link #BROKEN}. */
  public int latch(RingViolation violation, String field, long value) {
    if (this.violation == null) {
      this.violation = violation;
      this.field = field;
      this.value = value;
    }
    return BROKEN;
  }

  public boolean isBroken() {
    return violation != null;
  }

  public @Nullable RingViolation violation() {
    return violation;
  }

  public String field() {
    return field;
  }

  public long value() {
    return value;
  }

  /** Clears the latch (queue reset). */
  public void reset() {
    violation = null;
    field = "";
    value = 0;
  }

  /** The typed error for the reactive edge. */
  public RingViolationException toException(String queue) {
    RingViolation v = violation;
    if (v == null) {
      throw new IllegalStateException("queue '" + queue + "' is not broken");
    }
    return new RingViolationException(queue, v, field, value);
  }
}
