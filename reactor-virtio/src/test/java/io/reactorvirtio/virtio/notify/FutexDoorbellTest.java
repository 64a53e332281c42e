package io.reactorvirtio.virtio.notify;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.testsupport.Allocations;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FutexDoorbellTest {

  private static final Fields INT = new Fields();
  private static final long BELL = 64;

  private final Arena arena = Arena.ofShared();
  private final MemorySegment seg = arena.allocate(256, 64);
  private final FutexDoorbell bell = new FutexDoorbell(seg, BELL);
  private final FutexInterruptSource source = new FutexInterruptSource(seg, BELL);

  @AfterEach
  void tearDown() {
    source.close();
    arena.close();
  }

  @Test
  void layoutConstants() {
    assertThat(FutexDoorbellLayout.SEQ_OFFSET).isZero();
    assertThat(FutexDoorbellLayout.WAITERS_OFFSET).isEqualTo(4);
    assertThat(FutexDoorbellLayout.SIZE).isEqualTo(8);
  }

  @Test
  void ringIncrementsSeqAndSkipsTheWakeWhenNobodyIsArmed() {
    bell.ring();
    bell.ring();
    assertThat(INT.seq(seg)).isEqualTo(2);
    assertThat(bell.rings()).isEqualTo(2);
    assertThat(bell.wakes()).isZero();
  }

  @Test
  void seqWraps() {
    seg.set(INT.le, BELL, Integer.MAX_VALUE);
    bell.ring();
    assertThat(INT.seq(seg)).isEqualTo(Integer.MIN_VALUE);
  }

  @Test
  void armSetsWaitersAndSnapshotsSeq() {
    bell.ring();
    int token = source.arm();
    assertThat(token).isEqualTo(1);
    assertThat(INT.waiters(seg)).isEqualTo(1);
    source.disarm();
    assertThat(INT.waiters(seg)).isZero();
  }

  @Test
  void ringAfterArmWakesAndAwaitReturnsAtOnce() {
    int token = source.arm();
    bell.ring();
    assertThat(bell.wakes()).isEqualTo(1);
    long start = System.nanoTime();
    source.await(token, Duration.ofSeconds(10).toNanos());
    assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(1).toNanos());
    assertThat(INT.waiters(seg)).isZero();
  }

  @Test
  void awaitWithoutRingTimesOutAndDisarms() {
    int token = source.arm();
    long timeout = Duration.ofMillis(30).toNanos();
    long start = System.nanoTime();
    source.await(token, timeout);
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(timeout);
    assertThat(INT.waiters(seg)).isZero();
  }

  @Test
  void ringWakesAParkedPoller() throws Exception {
    CompletableFuture<Long> parked = parkOnce(source);
    awaitArmed();
    bell.ring();
    assertThat(parked.get(10, TimeUnit.SECONDS)).isLessThan(Duration.ofSeconds(5).toNanos());
    assertThat(bell.wakes()).isEqualTo(1);
  }

  @Test
  void wakeLocalWakesAParkedPoller() throws Exception {
    CompletableFuture<Long> parked = parkOnce(source);
    awaitArmed();
    source.wakeLocal();
    assertThat(parked.get(10, TimeUnit.SECONDS)).isLessThan(Duration.ofSeconds(5).toNanos());
    assertThat(INT.seq(seg)).isEqualTo(1);
  }

  @Test
  void awaitAfterCloseFails() {
    source.close();
    source.close();
    int token = source.arm();
    assertThatThrownBy(() -> source.await(token, 0)).isInstanceOf(IllegalStateException.class);
    assertThat(INT.waiters(seg)).isZero();
  }

  @Test
  void misplacedDoorbellsAreRejected() {
    assertThatThrownBy(() -> new FutexDoorbell(seg, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("aligned");
    assertThatThrownBy(() -> new FutexDoorbell(seg, 252))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not fit");
    assertThatThrownBy(() -> new FutexInterruptSource(seg, -4))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FutexDoorbell(MemorySegment.ofArray(new int[4]), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ringAndPollerCycleAllocateNothing() {
    // Waiter created before measuring: it is allocated once per poller thread.
    source.await(source.arm() - 1, 0);
    long bytes =
        Allocations.allocatedBy(
            20_000,
            10_000,
            () -> {
              int token = source.arm();
              bell.ring(); // armed: issues FUTEX_WAKE
              source.await(token, 1_000_000_000L); // value changed: returns at once
              bell.ring(); // not armed: no system call
              source.disarm();
            });
    assertThat(bytes).isLessThan(1024);
  }

  /** Parks the source once on another thread; completes with the nanoseconds it was parked. */
  private static CompletableFuture<Long> parkOnce(FutexInterruptSource source) {
    return CompletableFuture.supplyAsync(
        () -> {
          int token = source.arm();
          long start = System.nanoTime();
          source.await(token, Duration.ofSeconds(30).toNanos());
          return System.nanoTime() - start;
        },
        runnable -> Thread.ofPlatform().name("futex-poller").start(runnable));
  }

  private void awaitArmed() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (INT.waiters(seg) == 0 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(INT.waiters(seg)).isEqualTo(1);
    Thread.sleep(20); // give it time to enter FUTEX_WAIT; a ring before that is not lost either
  }

  /** Reads the doorbell fields of the test segment. */
  private static final class Fields {
    final ValueLayout.OfInt le = JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);

    int seq(MemorySegment s) {
      return s.get(le, BELL + FutexDoorbellLayout.SEQ_OFFSET);
    }

    int waiters(MemorySegment s) {
      return s.get(le, BELL + FutexDoorbellLayout.WAITERS_OFFSET);
    }
  }
}
