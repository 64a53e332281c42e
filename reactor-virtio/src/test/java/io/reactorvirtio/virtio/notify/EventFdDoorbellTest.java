package io.reactorvirtio.virtio.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.testsupport.Allocations;
import io.reactorvirtio.virtio.internal.nativeio.EventFd;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventFdDoorbellTest {

  private final EventFdInterruptSource source = EventFdInterruptSource.create();
  private final EventFdDoorbell bell = source.doorbell();

  @AfterEach
  void tearDown() {
    source.close();
  }

  @Test
  void ringIsSeenByAwaitWhichDrainsTheCounter() {
    assertThat(source.arm()).isZero();
    bell.ring();
    bell.ring();
    long start = System.nanoTime();
    source.await(0, Duration.ofSeconds(10).toNanos());
    assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(1).toNanos());
    assertThat(source.eventFd().read()).isZero(); // drained (non-blocking eventfd)
  }

  @Test
  void awaitWithoutRingTimesOut() {
    long timeout = Duration.ofMillis(30).toNanos();
    long start = System.nanoTime();
    source.await(source.arm(), timeout);
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(25).toNanos());
  }

  @Test
  void subMillisecondTimeoutsRoundUpRatherThanBusyReturn() {
    long start = System.nanoTime();
    source.await(source.arm(), 1); // 1 ns rounds up to 1 ms, not down to a non-blocking poll
    assertThat(System.nanoTime() - start)
        .isGreaterThanOrEqualTo(Duration.ofMillis(1).toNanos() / 2);
  }

  @Test
  void wakeLocalAndRingWakeAParkedPoller() throws Exception {
    for (Runnable waker : new Runnable[] {source::wakeLocal, bell::ring}) {
      CompletableFuture<Long> parked =
          CompletableFuture.supplyAsync(
              () -> {
                long start = System.nanoTime();
                source.await(source.arm(), -1);
                return System.nanoTime() - start;
              },
              runnable -> Thread.ofPlatform().name("eventfd-poller").start(runnable));
      Thread.sleep(20);
      waker.run();
      assertThat(parked.get(10, TimeUnit.SECONDS)).isLessThan(Duration.ofSeconds(5).toNanos());
    }
  }

  @Test
  void disarmIsHarmlessAndCloseIsIdempotent() {
    source.arm();
    source.disarm();
    source.close();
    source.close();
    assertThat(source.eventFd().isClosed()).isTrue();
    assertThatThrownBy(bell::ring).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void wrapsAnExistingEventFd() {
    EventFd efd = EventFd.create(0, EventFd.NONBLOCK);
    try (EventFdInterruptSource own = new EventFdInterruptSource(efd)) {
      new EventFdDoorbell(efd).ring();
      own.await(own.arm(), 0);
      assertThat(efd.read()).isZero();
    }
    assertThat(efd.isClosed()).isTrue();
  }

  @Test
  void ringAndAwaitAllocateNothing() {
    long bytes =
        Allocations.allocatedBy(
            20_000,
            10_000,
            () -> {
              bell.ring();
              source.await(source.arm(), 1_000_000_000L);
              source.disarm();
            });
    assertThat(bytes).isLessThan(1024);
  }
}
