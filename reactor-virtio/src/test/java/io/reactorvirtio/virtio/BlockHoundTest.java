package io.reactorvirtio.virtio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.virtio.internal.poll.LinkPoller;
import io.reactorvirtio.virtio.internal.poll.PollerBlockHoundIntegration;
import io.reactorvirtio.virtio.internal.poll.PollerTask;
import io.reactorvirtio.virtio.internal.queue.SpinLock;
import io.reactorvirtio.virtio.notify.EventFdInterruptSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.blockhound.BlockingOperationError;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * BlockHound is installed in this JVM ({@code blockhound-junit-platform}) and {@link
 * PollerBlockHoundIntegration} makes the link poller a non-blocking thread: blocking in work the
 * poller runs (a subscriber, a command, a task) is reported, while the poller's own spinning,
 * parking and closing are not.
 */
class BlockHoundTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final List<LinkPoller> pollers = new ArrayList<>();
  private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();

  @AfterEach
  void closePollers() {
    pollers.forEach(LinkPoller::close);
    assertThat(uncaught).as("exceptions that escaped a poller thread").isEmpty();
  }

  /** A started poller on a fresh eventfd; anything escaping its thread is recorded. */
  private LinkPoller poller(String name, IdlePolicy policy) {
    LinkPoller p = new LinkPoller(name, EventFdInterruptSource.create(), policy);
    p.thread().setUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    pollers.add(p);
    return p.start();
  }

  /** Runs {@code action} on the poller thread as a command; completes with what it threw, or null. */
  private static CompletableFuture<Throwable> runOn(LinkPoller p, ThrowingRunnable action) {
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    p.execute(() -> {
      try {
        action.run();
        outcome.complete(null);
      } catch (Throwable t) {
        outcome.complete(t);
      }
    });
    return outcome;
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  static Stream<IdlePolicy> policies() {
    return Stream.of(IdlePolicy.parkOnly(), IdlePolicy.busyPoll(), IdlePolicy.spinThenPark(Duration.ofMillis(20)),
        IdlePolicy.defaults());
  }

  // ---------------------------------------------------------------------------------------------
  // (a) BlockHound is installed.

  @Test
  void blockingOnAParallelThreadFails() {
    assertThatThrownBy(() -> Mono.fromCallable(() -> {
          Thread.sleep(10);
          return 1;
        })
        .subscribeOn(Schedulers.parallel())
        .block(WAIT))
        .satisfies(e -> assertThat(Exceptions.unwrap(e)).isInstanceOf(BlockingOperationError.class)
            .hasMessageContaining("java.lang.Thread.sleep"));
  }

  // ---------------------------------------------------------------------------------------------
  // (b) Blocking in what the poller runs is reported.

  @ParameterizedTest
  @MethodSource("policies")
  void sleepingInACommandOnThePollerIsReported(IdlePolicy policy) throws Exception {
    LinkPoller p = poller("bh-command", policy);
    Throwable t = runOn(p, () -> Thread.sleep(1)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(t).isInstanceOf(BlockingOperationError.class).hasMessageContaining("java.lang.Thread.sleep");
  }

  @Test
  void sleepingInASubscriberOnThePollerIsReported() {
    LinkPoller p = poller("bh-subscriber", IdlePolicy.parkOnly());
    Scheduler onPoller = Schedulers.fromExecutor(p::execute);
    StepVerifier.create(Mono.just(1)
            .publishOn(onPoller)
            .map(i -> {
              try {
                Thread.sleep(1);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
              return i;
            }))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BlockingOperationError.class)
            .hasMessageContaining("java.lang.Thread.sleep"))
        .verify(WAIT);
  }

  @Test
  void sleepingInAPollerTaskIsReported() throws Exception {
    LinkPoller p = poller("bh-task", IdlePolicy.parkOnly());
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    p.register(new PollerTask() {
      @Override
      public int doWork() {
        if (!outcome.isDone()) {
          try {
            Thread.sleep(1);
            outcome.complete(null);
          } catch (Throwable t) {
            outcome.complete(t);
          }
        }
        return 0;
      }
    });
    assertThat(outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(BlockingOperationError.class);
  }

  // ---------------------------------------------------------------------------------------------
  // (c) The poller's own idling is not.

  /**
   * parkOnly parks (in {@code EventFdInterruptSource.await}) as soon as it is idle; the loop
   * survives several parks and keeps working. An error in the park would escape {@code run}
   * (it is outside the task try/catch) and kill the thread: {@link #uncaught} would hold it.
   */
  @Test
  void parkingDoesNotTripBlockHound() throws Exception {
    LinkPoller p = poller("bh-park", IdlePolicy.parkOnly());
    RecordingTask task = new RecordingTask();
    p.register(task);
    long deadline = System.nanoTime() + WAIT.toNanos();
    // The poller may park once before the task is registered: wait for both counts.
    while ((p.parks() < 3 || task.armed.get() < 3) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(p.parks()).as("parks").isGreaterThanOrEqualTo(3);
    assertThat(p.thread().isAlive()).isTrue();
    assertThat(runOn(p, () -> {}).get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("a command after the parks").isNull();
    assertThat(task.armed.get()).as("armNotifications before parks").isGreaterThanOrEqualTo(3);
    assertThat(uncaught).isEmpty();
  }

  /**
   * busyPoll and the spin phase call {@link Thread#onSpinWait()}, which BlockHound counts as
   * blocking: without the integration's allowance for the idle loop the first spin kills the
   * poller thread.
   */
  @ParameterizedTest
  @MethodSource("policies")
  void spinningAndParkingDoNotTripBlockHound(IdlePolicy policy) throws Exception {
    LinkPoller p = poller("bh-idle", policy);
    RecordingTask task = new RecordingTask();
    p.register(task);
    Thread.sleep(300);
    assertThat(p.thread().isAlive()).isTrue();
    assertThat(runOn(p, () -> {}).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNull();
    assertThat(task.work.get()).isPositive();
    assertThat(uncaught).isEmpty();
  }

  /** {@code close()} joins the poller thread; from a non-blocking thread that is allowed. */
  @Test
  void closingFromANonBlockingThreadIsAllowed() {
    LinkPoller p = poller("bh-close", IdlePolicy.parkOnly());
    Mono.fromRunnable(p::close).subscribeOn(Schedulers.parallel()).block(WAIT);
    assertThat(p.thread().isAlive()).isFalse();
    // The same join outside close() is reported: the allowance is what makes close() pass.
    CountDownLatch release = new CountDownLatch(1);
    Thread other = Thread.ofPlatform().daemon().start(() -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try {
      assertThatThrownBy(() -> Mono.fromRunnable(() -> {
            try {
              other.join(1);
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
          }).subscribeOn(Schedulers.parallel()).block(WAIT))
          .satisfies(e -> assertThat(Exceptions.unwrap(e)).isInstanceOf(BlockingOperationError.class));
    } finally {
      release.countDown();
    }
  }

  /** A contended {@link SpinLock} spins with onSpinWait on a parallel thread: allowed, never parks. */
  @Test
  void contendedSpinLockOnAParallelThreadIsAllowed() {
    SpinLock lock = new SpinLock();
    lock.lock();
    Mono<Boolean> taker = Mono.fromCallable(() -> {
      lock.lock();
      lock.unlock();
      return true;
    }).subscribeOn(Schedulers.parallel());
    CompletableFuture<Boolean> taken = taker.toFuture();
    Mono.delay(Duration.ofMillis(50)).block(WAIT);
    lock.unlock();
    assertThat(taken).succeedsWithin(WAIT).isEqualTo(true);
  }

  /** BlockHound ignores names that match nothing: every named method must still exist. */
  @Test
  void everyAllowanceNamesAnExistingMethod() throws Exception {
    for (PollerBlockHoundIntegration.Rule r : PollerBlockHoundIntegration.RULES) {
      Class<?> c = Class.forName(r.className());
      assertThat(Stream.of(c.getDeclaredMethods()).anyMatch(m -> m.getName().equals(r.methodName())))
          .as("%s.%s exists", r.className(), r.methodName())
          .isTrue();
    }
  }

  /** Counts the poller's calls: the loop keeps cycling through work, arm and park. */
  static final class RecordingTask implements PollerTask {
    final AtomicLong work = new AtomicLong();
    final AtomicLong armed = new AtomicLong();

    @Override
    public int doWork() {
      work.incrementAndGet();
      return 0;
    }

    @Override
    public boolean armNotifications() {
      armed.incrementAndGet();
      return false;
    }
  }
}
