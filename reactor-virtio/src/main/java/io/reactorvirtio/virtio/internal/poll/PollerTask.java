package io.reactorvirtio.virtio.internal.poll;

/** A unit of work the poller runs in its duty cycle (Agrona's Agent shape). Poller thread only. */
public interface PollerTask {

  /** Does what is ready now; returns how much (0 = nothing). */
  int doWork();

  /**
   * About to park: re-enables the peer notifications this task needs and re-checks. Returns
   * {@code true} when work appeared meanwhile (the poller then does not park).
   */
  default boolean armNotifications() {
    return false;
  }

  /** Woke up (or found work): peer notifications may be disabled again while polling. */
  default void disarmNotifications() {}

  /** The longest the poller may park while this task is registered (periodic work). */
  default long wakeWithinNanos() {
    return Long.MAX_VALUE;
  }

  /** The poller stops; the task must fail or finish what it holds. */
  default void onClose() {}
}
