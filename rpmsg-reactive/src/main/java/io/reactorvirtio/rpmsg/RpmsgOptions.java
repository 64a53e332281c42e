package io.reactorvirtio.rpmsg;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * Bus-wide options.
 *
 * @param features the negotiated feature set ({@link RpmsgFeature#NAME_SERVICE} by default; the
 *     address service is opt-in)
 * @param maxChannels most remote channels (peer announcements) kept at once; further
 *     announcements are counted in {@link RpmsgStats#droppedChannelLimit()} and dropped
 * @param sendTimeout default longest time a {@code send} call may wait for the peer — for its
 *     address, or for a free ring buffer while the peer is not consuming — before it fails with
 *     {@link RpmsgTimeoutException} (the kernel's hidden 15 s, made explicit). Time spent waiting for
 *     the call's own publisher is not counted, so a long-lived stream (an echo) never times out
 *     while it is idle; must be positive
 * @param bindTimeout default bound of waiting for a channel or a peer address (e.g.
 *     {@link RpmsgBus#channel(String)})
 * @param queueCapacity default receive-queue bound per endpoint
 * @param overflow default policy when an endpoint's queue is full
 * @param name a name for logs
 */
public record RpmsgOptions(Set<RpmsgFeature> features, int maxChannels, Duration sendTimeout, Duration bindTimeout,
    int queueCapacity, OverflowPolicy overflow, String name) {

  public static final int DEFAULT_MAX_CHANNELS = 128;
  public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(15);
  public static final Duration DEFAULT_BIND_TIMEOUT = Duration.ofSeconds(15);
  public static final int DEFAULT_QUEUE_CAPACITY = 64;

  public RpmsgOptions {
    features = features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
    if (maxChannels < 0) {
      throw new IllegalArgumentException("maxChannels must be >= 0: " + maxChannels);
    }
    if (sendTimeout.isNegative() || sendTimeout.isZero() || bindTimeout.isNegative() || bindTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive: " + sendTimeout + ", " + bindTimeout);
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queueCapacity must be >= 1: " + queueCapacity);
    }
  }

  public static RpmsgOptions defaults() {
    return new RpmsgOptions(Set.of(RpmsgFeature.NAME_SERVICE), DEFAULT_MAX_CHANNELS, DEFAULT_SEND_TIMEOUT,
        DEFAULT_BIND_TIMEOUT, DEFAULT_QUEUE_CAPACITY, OverflowPolicy.BACKPRESSURE, "rpmsg");
  }

  public boolean has(RpmsgFeature f) {
    return features.contains(f);
  }

  public RpmsgOptions withFeatures(RpmsgFeature... fs) {
    Set<RpmsgFeature> s = fs.length == 0 ? Set.of() : EnumSet.of(fs[0], fs);
    return new RpmsgOptions(s, maxChannels, sendTimeout, bindTimeout, queueCapacity, overflow, name);
  }

  /** Adds {@link RpmsgFeature#ADDRESS_SERVICE}. */
  public RpmsgOptions withAddressService() {
    EnumSet<RpmsgFeature> s = features.isEmpty() ? EnumSet.noneOf(RpmsgFeature.class) : EnumSet.copyOf(features);
    s.add(RpmsgFeature.ADDRESS_SERVICE);
    return new RpmsgOptions(s, maxChannels, sendTimeout, bindTimeout, queueCapacity, overflow, name);
  }

  public RpmsgOptions withMaxChannels(int n) {
    return new RpmsgOptions(features, n, sendTimeout, bindTimeout, queueCapacity, overflow, name);
  }

  public RpmsgOptions withSendTimeout(Duration d) {
    return new RpmsgOptions(features, maxChannels, d, bindTimeout, queueCapacity, overflow, name);
  }

  public RpmsgOptions withBindTimeout(Duration d) {
    return new RpmsgOptions(features, maxChannels, sendTimeout, d, queueCapacity, overflow, name);
  }

  public RpmsgOptions withQueueCapacity(int n) {
    return new RpmsgOptions(features, maxChannels, sendTimeout, bindTimeout, n, overflow, name);
  }

  public RpmsgOptions withOverflow(OverflowPolicy p) {
    return new RpmsgOptions(features, maxChannels, sendTimeout, bindTimeout, queueCapacity, p, name);
  }

  public RpmsgOptions withName(String n) {
    return new RpmsgOptions(features, maxChannels, sendTimeout, bindTimeout, queueCapacity, overflow, n);
  }
}
