package io.reactorvirtio.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AllocationsTest {

  private int counter;
  private Object sink = new Object();

  @Test
  void allocationFreeActionMeasuresNearZero() {
    assertThat(Allocations.allocatedBy(20_000, 10_000, () -> counter++)).isLessThan(1024);
  }

  @Test
  void allocatingActionIsMeasured() {
    long start = System.nanoTime();
    long bytes =
        Allocations.allocatedBy(0, 1_000, Duration.ofMillis(200), () -> sink = new byte[1024]);
    assertThat(bytes).isGreaterThanOrEqualTo(1_000L * 1024);
    assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(5).toNanos());
    assertThat(sink).isInstanceOf(byte[].class);
  }
}
