package io.reactorvirtio.benchmarks;

import io.reactorvirtio.virtio.IdlePolicy;
import java.time.Duration;

/**
 * One measured figure: which path (raw ring or Flux API), one-way or round trip, notification mode
 * and payload length.
 *
 * @param path {@code raw}, {@code flux}, {@code rpmsg}, {@code spring}, {@code tcp}, {@code agrona} or {@code cl}
 * @param kind {@code oneway} or {@code rtt}
 * @param mode raw: {@code busy} or {@code futex}; flux, rpmsg, spring: {@code busyPoll},
 *     {@code spinNNus} or {@code parkOnly}
 * @param payload message length in bytes
 */
record Figure(String path, String kind, String mode, int payload) {

  boolean raw() {
    return path.equals("raw");
  }

  /** flux, rpmsg and spring run on a link's poller, with an {@link IdlePolicy}. */
  boolean polled() {
    return path.equals("flux") || path.equals("rpmsg") || path.equals("spring");
  }

  boolean idle() {
    return kind.equals("idle");
  }

  boolean rtt() {
    return kind.equals("rtt");
  }

  /** The flux idle policy this mode names. */
  IdlePolicy idlePolicy() {
    if (mode.equals("busyPoll")) {
      return IdlePolicy.busyPoll();
    }
    if (mode.equals("parkOnly")) {
      return IdlePolicy.parkOnly();
    }
    if (mode.startsWith("spin") && mode.endsWith("us")) {
      return IdlePolicy.spinThenPark(Duration.ofNanos(1000L * Long.parseLong(mode.substring(4, mode.length() - 2))));
    }
    throw new IllegalArgumentException("unknown flux mode " + mode);
  }

  /** One line to the peer: {@code RUN path kind mode payload}, followed by the file etc. */
  String command(String file, int queueSize, int bufferSize, long futexSpinNanos) {
    return "RUN " + path + " " + kind + " " + mode + " " + payload + " " + file + " " + queueSize + " " + bufferSize
        + " " + futexSpinNanos;
  }

  @Override
  public String toString() {
    return path + " " + kind + " " + mode + " " + payload + " B";
  }
}
