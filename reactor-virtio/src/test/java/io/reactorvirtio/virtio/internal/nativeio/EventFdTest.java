package io.reactorvirtio.virtio.internal.nativeio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.testsupport.Allocations;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventFdTest {

  @Test
  void signalsAddUpAndReadResets() {
    try (EventFd efd = EventFd.create(0, EventFd.NONBLOCK | EventFd.CLOEXEC)) {
      assertThat(efd.fd()).isNotNegative();
      efd.signal(3);
      efd.signal(4);
      assertThat(efd.read()).isEqualTo(7);
      assertThat(efd.read()).isZero();
    }
  }

  @Test
  void initialValueIsReadable() {
    try (EventFd efd = EventFd.create(5, EventFd.NONBLOCK)) {
      assertThat(efd.read()).isEqualTo(5);
    }
  }

  @Test
  void semaphoreModeReadsOneAtATime() {
    try (EventFd efd = EventFd.create(2, EventFd.SEMAPHORE | EventFd.NONBLOCK)) {
      efd.signal(1);
      assertThat(efd.read()).isEqualTo(1);
      assertThat(efd.read()).isEqualTo(1);
      assertThat(efd.read()).isEqualTo(1);
      assertThat(efd.read()).isZero();
    }
  }

  @Test
  void largeValuesRoundTrip() {
    try (EventFd efd = EventFd.create(0, EventFd.NONBLOCK)) {
      efd.signal(EventFd.MAX_VALUE);
      assertThat(efd.read()).isEqualTo(EventFd.MAX_VALUE);
    }
  }

  @Test
  void overflowOfANonBlockingCounterFails() {
    try (EventFd efd = EventFd.create(0, EventFd.NONBLOCK)) {
      efd.signal(EventFd.MAX_VALUE);
      assertThatThrownBy(() -> efd.signal(1))
          .isInstanceOfSatisfying(
              NativeException.class, e -> assertThat(e.errno()).isEqualTo(Libc.EAGAIN))
          .hasMessageContaining("write(eventfd) failed: errno 11 (EAGAIN)");
    }
  }

  @Test
  void awaitTimesOutWhenEmptyAndSucceedsAfterSignal() {
    try (EventFd efd = EventFd.create(0, EventFd.NONBLOCK)) {
      long start = System.nanoTime();
      assertThat(efd.await(50)).isFalse();
      assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(45).toNanos());
      assertThat(efd.await(0)).isFalse();
      efd.signal(1);
      start = System.nanoTime();
      assertThat(efd.await(10_000)).isTrue();
      assertThat(efd.await(-1)).isTrue(); // await does not consume
      assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(1).toNanos());
      assertThat(efd.read()).isEqualTo(1);
      assertThat(efd.await(0)).isFalse();
    }
  }

  @Test
  void blockingReadIsReleasedBySignalFromAnotherThread() throws Exception {
    try (EventFd efd = EventFd.create(0, 0)) {
      CompletableFuture<Long> value =
          CompletableFuture.supplyAsync(
              efd::read, runnable -> Thread.ofPlatform().name("eventfd-reader").start(runnable));
      Thread.sleep(20);
      efd.signal(42);
      assertThat(value.get(10, TimeUnit.SECONDS)).isEqualTo(42);
    }
  }

  @Test
  void closeIsIdempotentAndLaterUseFails() {
    EventFd efd = EventFd.create(0, EventFd.NONBLOCK);
    efd.close();
    efd.close();
    assertThat(efd.isClosed()).isTrue();
    assertThatThrownBy(() -> efd.signal(1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(efd::read).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> efd.await(0)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void invalidArgumentsAreRejected() {
    assertThatThrownBy(() -> EventFd.create(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EventFd.create(1L << 32, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EventFd.create(0, 0x4)).isInstanceOf(IllegalArgumentException.class);
    try (EventFd efd = EventFd.create(0, EventFd.NONBLOCK)) {
      assertThatThrownBy(() -> efd.signal(-1)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void steadyStateAllocatesNothing() {
    try (EventFd efd = EventFd.create(0, EventFd.NONBLOCK)) {
      long bytes =
          Allocations.allocatedBy(
              20_000,
              10_000,
              () -> {
                efd.signal(1);
                efd.await(0);
                efd.read();
                efd.read();
              });
      assertThat(bytes).isLessThan(1024);
    }
  }
}
