package io.reactorvirtio.virtio.spi;

/**
 * What a link's poller thread parks on: a futex word (simulated link), an eventfd (VFIO), a UIO
 * device file, an NTB doorbell.
 *
 * <p>The poller uses it in an event-count pattern so that no notification is lost between its last
 * look at the rings and going to sleep:
 *
 * <pre>{@code
 * int token = source.arm();          // announce "about to sleep", snapshot the counter
 * boolean more = queues.enableCallbacks();   // re-check the rings after re-enabling
 * if (more) source.disarm(); else source.await(token, timeout);   // await disarms
 * }</pre>
 *
 * <p>{@link #arm()}, {@link #await(int, long)} and {@link #disarm()} are called only from the
 * poller thread; {@link #wakeLocal()} from any thread of this process.
 */
public interface InterruptSource extends AutoCloseable {

  /**
   * Announces that the poller is about to park and returns a snapshot of the notification counter.
   * Has full-fence semantics: the ring re-check the poller does next cannot be ordered before it.
   */
  int arm();

  /**
   * Parks in the kernel until a notification newer than {@code token} arrives, the timeout passes,
   * or a spurious wake-up happens; then disarms. Returns immediately if a notification arrived
   * after {@link #arm()}.
   *
   * @param timeoutNanos the longest park, in nanoseconds; negative waits without bound
   */
  void await(int token, long timeoutNanos);

  /** Withdraws an {@link #arm()} when the poller found work instead of parking. */
  void disarm();

  /** Wakes this process's own poller (used when local demand or local work appears). */
  void wakeLocal();

  /** Releases kernel resources (file descriptors). Shared-memory words are owned by the link. */
  @Override
  void close();
}
