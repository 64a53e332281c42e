package io.reactorvirtio.rpmsg.internal.bus;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A drop counter that also logs, rate-limited: the 1st, 2nd, 4th, 8th… occurrence (Linux's
 * {@code dev_warn_ratelimited} in spirit), with the peer's values and the running count.
 */
final class RateLimitedLog {

  private final VirtioRpmsgBus bus;
  private final String reason;
  private final AtomicLong count = new AtomicLong();

  RateLimitedLog(VirtioRpmsgBus bus, String reason) {
    this.bus = bus;
    this.reason = reason;
  }

  void hit(String name, String detail) {
    long n = count.incrementAndGet();
    if (Long.bitCount(n) == 1) {
      bus.logLater("{}: {} — {} (dropped; {} so far)", name, reason, detail, n);
    }
  }

  /** Counted without being a drop (e.g. an unterminated name that is accepted, cut at 31 bytes). */
  void note(String name, String detail) {
    long n = count.incrementAndGet();
    if (Long.bitCount(n) == 1) {
      bus.logLater("{}: {} — {} ({} so far)", name, reason, detail, n);
    }
  }

  long count() {
    return count.get();
  }
}
