package io.reactorvirtio.virtio;

import java.time.Duration;

/**
 * What a link's poller thread does when it finds no work: keep polling, spin for a while and then
 * park in the kernel, or park at once. Parking costs a wake-up (a futex wake across cores is tens
 * of microseconds on a virtualised host) but no CPU; spinning costs a core.
 *
 * @param spin how long to poll before parking; ignored when {@code park} is false
 * @param park whether to park in the kernel at all
 * @param parkTimeout the longest single park (the poller then looks again, e.g. for liveness)
 */
public record IdlePolicy(Duration spin, boolean park, Duration parkTimeout) {

  public static final Duration DEFAULT_SPIN = Duration.ofNanos(50_000);
  public static final Duration DEFAULT_PARK_TIMEOUT = Duration.ofMillis(100);

  public IdlePolicy {
    if (spin.isNegative() || parkTimeout.isNegative() || parkTimeout.isZero()) {
      throw new IllegalArgumentException("spin must be >= 0 and parkTimeout > 0: " + spin + ", " + parkTimeout);
    }
  }

  /** Never parks: lowest latency, one core busy per link. */
  public static IdlePolicy busyPoll() {
    return new IdlePolicy(Duration.ZERO, false, DEFAULT_PARK_TIMEOUT);
  }

  /** Polls for {@code spin}, then parks (the default, with {@link #DEFAULT_SPIN}). */
  public static IdlePolicy spinThenPark(Duration spin) {
    return new IdlePolicy(spin, true, DEFAULT_PARK_TIMEOUT);
  }

  /** Parks as soon as there is no work: an idle link costs nothing. */
  public static IdlePolicy parkOnly() {
    return new IdlePolicy(Duration.ZERO, true, DEFAULT_PARK_TIMEOUT);
  }

  public static IdlePolicy defaults() {
    return spinThenPark(DEFAULT_SPIN);
  }
}
