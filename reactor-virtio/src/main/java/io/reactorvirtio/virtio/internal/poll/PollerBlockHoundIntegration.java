package io.reactorvirtio.virtio.internal.poll;

import java.util.List;
import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Tells BlockHound that a link's poller thread is non-blocking, like a Reactor {@code parallel}
 * thread or a Netty event loop: queue subscribers run on it, and a blocking call there stalls every
 * queue of the link. Registered in {@code META-INF/services}, so it applies wherever BlockHound is
 * installed (every test JVM of this project, through {@code blockhound-junit-platform}); BlockHound
 * is an optional dependency, nothing loads this class without it.
 *
 * <p>What the poller itself legitimately does that BlockHound would otherwise report, each allowed
 * below with the reason ({@link #RULES} lists them, and a test checks that every named method
 * still exists, since BlockHound silently ignores a name that matches nothing):
 *
 * <ul>
 *   <li>its idle loop, {@link LinkPoller}{@code .run}: {@link Thread#onSpinWait()} while spinning
 *       ({@code IdlePolicy.busyPoll()} and the spin phase of {@code spinThenPark}; BlockHound 1.0.17
 *       lists {@code onSpinWait} as blocking, and without this allowance the first spin kills the
 *       poller thread), the park on the link's interrupt source, and logging a failed task;
 *   <li>but not the work it runs: tasks and commands ({@code doWork}), the tasks' notification
 *       hooks and their close path (which signal subscribers) are disallowed again, so a subscriber
 *       that blocks on the poller thread is reported there;
 *   <li>the park itself, {@code FutexInterruptSource.await} / {@code EventFdInterruptSource.await}:
 *       FFM downcalls ({@code futex}, {@code poll}) that BlockHound cannot see anyway; allowed
 *       explicitly so the intent survives if the park ever moves out of {@code run} or gains a
 *       Java-level wait;
 *   <li>{@code LinkPoller.close}: joins the poller thread (bounded, 5 s) when called from another
 *       thread, which may be a non-blocking one (a {@code doFinally} on {@code parallel});
 *   <li>{@code SpinLock.lock}: spins with {@code onSpinWait} for the few ring stores a queue's lock
 *       guards; it never parks, and it is taken on poller and {@code parallel} threads.
 * </ul>
 */
public final class PollerBlockHoundIntegration implements BlockHoundIntegration {

  private static final String POLLER = "io.reactorvirtio.virtio.internal.poll.LinkPoller";
  private static final String FUTEX_SOURCE = "io.reactorvirtio.virtio.notify.FutexInterruptSource";
  private static final String EVENTFD_SOURCE = "io.reactorvirtio.virtio.notify.EventFdInterruptSource";
  private static final String POLLING_SOURCE = "io.reactorvirtio.virtio.notify.PollingInterruptSource";
  private static final String SPIN_LOCK = "io.reactorvirtio.virtio.internal.queue.SpinLock";
  private static final String RECEIVER = "io.reactorvirtio.virtio.internal.reactive.QueueFluxReceive$Receiver";
  private static final String SENDER = "io.reactorvirtio.virtio.internal.reactive.QueueMonoSend";

  /**
   * One allowance ({@code allowed}) or disallowance of blocking calls inside a method. Class names
   * are strings, not class literals, so that this package does not depend on the reactive edge
   * (which depends on it).
   */
  public record Rule(String className, String methodName, boolean allowed) {}

  /** The allowances, in the order they are applied. */
  public static final List<Rule> RULES = List.of(
      // The idle loop: spin (Thread.onSpinWait), park, log a failed task.
      new Rule(POLLER, "run", true),
      // ...but not the work it runs: commands and tasks, where queue subscribers are called.
      new Rule(POLLER, "doWork", false),
      new Rule(POLLER, "disarmAll", false),
      new Rule(RECEIVER, "armNotifications", false),
      new Rule(RECEIVER, "onClose", false),
      new Rule(SENDER, "armNotifications", false),
      new Rule(SENDER, "onClose", false),
      // The deliberate park: FFM downcalls BlockHound does not detect; explicit all the same.
      new Rule(FUTEX_SOURCE, "await", true),
      new Rule(EVENTFD_SOURCE, "await", true),
      // The timed park of an endpoint without a doorbell interrupt (LockSupport.parkNanos).
      new Rule(POLLING_SOURCE, "await", true),
      // Joining the poller thread from another thread on close (bounded).
      new Rule(POLLER, "close", true),
      // A spin lock around a few ring stores: onSpinWait, never parks.
      new Rule(SPIN_LOCK, "lock", true));

  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder.nonBlockingThreadPredicate(p -> p.or(t -> t instanceof LinkPoller.PollerThread));
    for (Rule r : RULES) {
      if (r.allowed()) {
        builder.allowBlockingCallsInside(r.className(), r.methodName());
      } else {
        builder.disallowBlockingCallsInside(r.className(), r.methodName());
      }
    }
  }
}
