package io.reactorvirtio.virtio.internal.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.testsupport.Allocations;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FutexTest {

  private final Arena arena = Arena.ofShared();
  private final MemorySegment word = arena.allocate(16, 8);
  private final Futex.Waiter waiter = Futex.newWaiter();

  @AfterEach
  void tearDown() {
    waiter.close();
    arena.close();
  }

  @Test
  void waitTimesOutAfterTheTimeout() {
    long timeout = Duration.ofMillis(50).toNanos();
    long start = System.nanoTime();
    assertThat(waiter.await(word, 0, 0, timeout)).isEqualTo(Futex.TIMED_OUT);
    long elapsed = System.nanoTime() - start;
    assertThat(elapsed).isGreaterThanOrEqualTo(timeout).isLessThan(Duration.ofSeconds(5).toNanos());
  }

  @Test
  void zeroTimeoutOnlyChecks() {
    assertThat(waiter.await(word, 0, 0, 0)).isEqualTo(Futex.TIMED_OUT);
  }

  @Test
  void wrongExpectedValueReturnsAtOnce() {
    word.set(JAVA_INT, 4, 7);
    long start = System.nanoTime();
    assertThat(waiter.await(word, 4, 6, Duration.ofSeconds(10).toNanos()))
        .isEqualTo(Futex.EAGAIN_VALUE_CHANGED);
    assertThat(waiter.await(word, 4, 6, -1)).isEqualTo(Futex.EAGAIN_VALUE_CHANGED);
    assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(1).toNanos());
  }

  @Test
  void wakeReleasesABlockedThread() throws Exception {
    CompletableFuture<Integer> result =
        CompletableFuture.supplyAsync(
            () -> {
              try (Futex.Waiter own = Futex.newWaiter()) {
                return own.await(word, 8, 0, Duration.ofSeconds(30).toNanos());
              }
            },
            runnable -> Thread.ofPlatform().name("futex-waiter").start(runnable));
    // wake returns 1 exactly once the other thread is queued on the word.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int woken = 0;
    while (woken == 0 && System.nanoTime() < deadline && !result.isDone()) {
      woken = Futex.wake(word, 8, Integer.MAX_VALUE);
      if (woken == 0) {
        Thread.sleep(1);
      }
    }
    assertThat(woken).isEqualTo(1);
    assertThat(result.get(5, TimeUnit.SECONDS)).isIn(Futex.WOKEN, Futex.EAGAIN_VALUE_CHANGED);
  }

  @Test
  void wakeWithoutWaitersWakesNobody() {
    assertThat(Futex.wake(word, 0, 1)).isZero();
  }

  @Test
  void misalignedWordsAreRejected() {
    assertThatThrownBy(() -> Futex.wake(word, 2, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4-byte aligned");
    assertThatThrownBy(() -> waiter.await(word, 1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4-byte aligned");
  }

  @Test
  void wordsOutsideTheSegmentAreRejected() {
    assertThatThrownBy(() -> Futex.wake(word, 16, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> waiter.await(word, -4, 0, 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void heapSegmentsAreRejected() {
    MemorySegment heap = MemorySegment.ofArray(new int[4]);
    assertThatThrownBy(() -> Futex.wake(heap, 0, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void closedSegmentsAndWaitersAreRejected() {
    Arena other = Arena.ofConfined();
    MemorySegment gone = other.allocate(8, 8);
    other.close();
    assertThatThrownBy(() -> Futex.wake(gone, 0, 1)).isInstanceOf(IllegalStateException.class);
    Futex.Waiter closed = Futex.newWaiter();
    closed.close();
    closed.close(); // idempotent
    assertThatThrownBy(() -> closed.await(word, 0, 0, 0)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @SuppressWarnings("restricted")
  void unmappedAddressFailsWithEfault() {
    // Page 1 is below mmap_min_addr: never mapped.
    MemorySegment unmapped = MemorySegment.ofAddress(4096).reinterpret(8);
    assertThatThrownBy(() -> waiter.await(unmapped, 0, 0, 0))
        .isInstanceOfSatisfying(
            NativeException.class, e -> assertThat(e.errno()).isEqualTo(Libc.EFAULT))
        .hasMessageStartingWith("futex(FUTEX_WAIT) failed: errno 14 (EFAULT)");
    assertThat(Futex.wake(unmapped, 0, 1)).isEqualTo(-1);
    NativeException failure = Futex.wakeFailure(unmapped, 0);
    assertThat(failure.errno()).isEqualTo(Libc.EFAULT);
    assertThat(failure.call()).isEqualTo("futex(FUTEX_WAKE)");
  }

  @Test
  void waitAndWakeAllocateNothing() {
    word.set(JAVA_INT, 0, 1);
    assertThat(Allocations.allocatedBy(20_000, 10_000, () -> waiter.await(word, 0, 2, 1_000_000)))
        .isLessThan(1024);
    assertThat(Allocations.allocatedBy(20_000, 10_000, () -> waiter.await(word, 0, 2, -1)))
        .isLessThan(1024);
    assertThat(Allocations.allocatedBy(20_000, 10_000, () -> Futex.wake(word, 0, 1)))
        .isLessThan(1024);
  }
}
