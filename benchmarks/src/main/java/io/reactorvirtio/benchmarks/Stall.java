package io.reactorvirtio.benchmarks;

import org.jspecify.annotations.Nullable;

/**
 * Fails a loop that makes no progress for too long (the peer died, hung, or a notification was
 * lost for good), and fails at once when the peer process has exited.
 */
final class Stall {

  static final long LIMIT_NANOS = 10_000_000_000L;
  private static final long ALIVE_CHECK_NANOS = 500_000_000L;

  private final String what;
  private final @Nullable PeerJvm peer;
  private long lastValue = Long.MIN_VALUE;
  private long lastProgress;
  private long lastAliveCheck;

  Stall(String what, @Nullable PeerJvm peer) {
    this.what = what;
    this.peer = peer;
    this.lastProgress = System.nanoTime();
    this.lastAliveCheck = lastProgress;
  }

  /** {@code value} is any counter that moves when work is done. */
  void check(long now, long value) {
    if (value != lastValue) {
      lastValue = value;
      lastProgress = now;
      return;
    }
    long idle = now - lastProgress;
    if (idle > ALIVE_CHECK_NANOS && now - lastAliveCheck > ALIVE_CHECK_NANOS) {
      lastAliveCheck = now;
      if (peer != null) {
        peer.checkAlive(what);
      }
    }
    if (idle > LIMIT_NANOS) {
      throw new BenchFailure(what + ": no progress for " + LIMIT_NANOS / 1_000_000_000L + " s (counter stuck at "
          + value + ")" + (peer != null ? "; peer " + peer.describe() : ""));
    }
  }
}
