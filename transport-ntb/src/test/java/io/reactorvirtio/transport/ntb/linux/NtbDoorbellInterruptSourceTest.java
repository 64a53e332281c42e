package io.reactorvirtio.transport.ntb.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link NtbDoorbellInterruptSource} polling a fake {@code db} file. */
class NtbDoorbellInterruptSourceTest {

  static final long LONG_WAIT = TimeUnit.SECONDS.toNanos(20);

  @TempDir Path root;
  FakeNtbTool fake;
  NtbToolPort ntb;

  @BeforeEach
  void setUp() throws Exception {
    fake = new FakeNtbTool(root, 0, 1);
    ntb = fake.port();
  }

  @Test
  void wakesOnADoorbellAndClearsTheBitsItHandles() throws Exception {
    try (NtbDoorbellInterruptSource irq = ntb.interruptSource(0x6, Duration.ofMillis(1))) {
      assertThat(irq.pollInterval()).isEqualTo(Duration.ofMillis(1));
      int token = irq.arm();
      CompletableFuture<Void> parked = CompletableFuture.runAsync(() -> irq.await(token, LONG_WAIT));
      Thread.sleep(30);
      assertThat(parked).isNotDone();
      fake.set("db", "0x1\n"); // a bit this source does not handle: ignored
      Thread.sleep(30);
      assertThat(parked).isNotDone();
      fake.set("db", "0x7\n");
      parked.get(10, TimeUnit.SECONDS);
      assertThat(fake.get("db")).isEqualTo("c 0x6\n"); // only bits 1 and 2 cleared
      assertThat(irq.lastBits()).isEqualTo(0x6);
      assertThat(irq.arm()).isEqualTo(token + 1);
      // a stale token returns at once: the batch was already seen
      long t0 = System.nanoTime();
      irq.await(token, LONG_WAIT);
      assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }
  }

  @Test
  void timesOutWithoutBits() throws Exception {
    try (NtbDoorbellInterruptSource irq = ntb.interruptSource(NtbDoorbellInterruptSource.DEFAULT_POLL_INTERVAL)) {
      assertThat(irq.bits()).isEqualTo(0xffff); // db_valid_mask
      long t0 = System.nanoTime();
      irq.await(irq.arm(), TimeUnit.MILLISECONDS.toNanos(50));
      long took = System.nanoTime() - t0;
      assertThat(took).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(45));
      assertThat(took).isLessThan(TimeUnit.SECONDS.toNanos(10));
      assertThat(fake.get("db")).isEqualTo("0\n"); // nothing cleared
    }
  }

  @Test
  void wakeLocalFromAnotherThread() throws Exception {
    try (NtbDoorbellInterruptSource irq = ntb.interruptSource(1, Duration.ofMillis(200))) {
      int token = irq.arm();
      CompletableFuture<Void> parked = CompletableFuture.runAsync(() -> irq.await(token, LONG_WAIT));
      Thread.sleep(50);
      assertThat(parked).isNotDone();
      irq.wakeLocal();
      parked.get(10, TimeUnit.SECONDS);
      assertThat(irq.arm()).isEqualTo(token); // a local wake is not a doorbell
    }
  }

  @Test
  void closeEndsAWaitAndBadArgumentsAreRejected() throws Exception {
    NtbDoorbellInterruptSource irq = ntb.interruptSource(1, Duration.ofMillis(5));
    CompletableFuture<Void> parked = CompletableFuture.runAsync(() -> irq.await(irq.arm(), -1));
    Thread.sleep(30);
    irq.close();
    parked.get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> ntb.interruptSource(0, Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ntb.interruptSource(1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void unreadableDbIsAClearError() {
    try (NtbDoorbellInterruptSource irq = ntb.interruptSource(1, Duration.ofMillis(1))) {
      fake.set("db", "\n");
      assertThatThrownBy(() -> irq.await(irq.arm(), LONG_WAIT))
          .isInstanceOf(NtbToolException.class).hasMessageContaining("NTB doorbell");
    }
  }
}
