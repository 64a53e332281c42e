package io.reactorvirtio.rpmsg.internal.bus;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A drop counter that also logs, rate-limited: the 1st, 2nd, 4th, 8th… occurrence (Linux's
 * {@code dev_warn_ratelimited} in spirit), with the peer's values and the running count.
 */
final class RateLimitedLog {

  private final Logger log;
  private final String reason;
  private final AtomicLong count = new AtomicLong();

  RateLimitedLog(Logger log, String reason) {
    this.log = log;
    this.reason = reason;
  }

  void hit(String bus, String detail) {
    long n = count.incrementAndGet();
    if (Long.bitCount(n) == 1) {
      log.warn("{}: {} — {} (dropped; {} so far)", bus, reason, detail, n);
    }
  }

  /** Counted without being a drop (e.g. an unterminated name that is accepted, cut at 31 bytes). */
  void note(String bus, String detail) {
    long n = count.incrementAndGet();
    if (Long.bitCount(n) == 1) {
      log.warn("{}: {} — {} ({} so far)", bus, reason, detail, n);
    }
  }

  long count() {
    return count.get();
  }
}
