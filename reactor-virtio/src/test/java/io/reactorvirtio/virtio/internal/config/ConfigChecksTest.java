package io.reactorvirtio.virtio.internal.config;

import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.STATUS_ACKNOWLEDGE;
import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.STATUS_DRIVER;
import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.STATUS_DRIVER_OK;
import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.STATUS_FAILED;
import static io.reactorvirtio.virtio.internal.config.CommonConfigLayout.STATUS_FEATURES_OK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.virtio.ConfigViolation;
import io.reactorvirtio.virtio.ConfigViolationException;
import io.reactorvirtio.virtio.internal.ring.QueueGeometry;
import io.reactorvirtio.virtio.memory.Window;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Impossible configuration values a driver can write, each refused with the register and value. */
class ConfigChecksTest {

  private static final int A = STATUS_ACKNOWLEDGE;
  private static final int D = STATUS_DRIVER;
  private static final int F = STATUS_FEATURES_OK;
  private static final int OK = STATUS_DRIVER_OK;

  private final Arena arena = Arena.ofConfined();
  private final MemorySegment memory = arena.allocate(64 * 1024, 4096);
  private final Window window = Window.of(memory, 0x8000_0000L);

  @AfterEach
  void close() {
    arena.close();
  }

  private static ConfigViolation violationOf(Runnable r) {
    try {
      r.run();
    } catch (ConfigViolationException e) {
      return e.violation();
    }
    throw new AssertionError("no violation");
  }

  @Test
  void featuresTheDeviceNeverOfferedAreRefusedNamingTheExtraBits() {
    long offered = (1L << 32) | 1;
    assertThatCode(() -> ConfigChecks.checkAcceptedFeatures("ep0", offered, 1)).doesNotThrowAnyException();
    assertThatThrownBy(() -> ConfigChecks.checkAcceptedFeatures("ep0", offered, offered | (1L << 29)))
        .isInstanceOfSatisfying(ConfigViolationException.class, e -> {
          assertThat(e.violation()).isEqualTo(ConfigViolation.FEATURES_NOT_OFFERED);
          assertThat(e.value()).isEqualTo(1L << 29);
          assertThat(e).hasMessageContaining("link 'ep0'").hasMessageContaining("driver_feature")
              .hasMessageContaining("0x20000000");
        });
  }

  @Test
  void theSpecsStatusSequenceIsAccepted() {
    int[] steps = {A, A | D, A | D | F, A | D | F | OK, 0, A};
    int previous = 0;
    for (int s : steps) {
      int p = previous;
      assertThatCode(() -> ConfigChecks.checkStatusWrite("ep0", p, s, false)).doesNotThrowAnyException();
      previous = s;
    }
  }

  @Test
  void statusGoingBackwardsWithoutAResetIsRefused() {
    assertThat(violationOf(() -> ConfigChecks.checkStatusWrite("ep0", A | D | F, A | D, false)))
        .isEqualTo(ConfigViolation.STATUS_BACKWARDS);
    assertThat(violationOf(() -> ConfigChecks.checkStatusWrite("ep0", A | D | F | OK, A | D | OK, true)))
        .as("backwards is refused for legacy peers too").isEqualTo(ConfigViolation.STATUS_BACKWARDS);
  }

  @Test
  void statusStepsOutOfOrderAreRefusedExceptDriverOkAloneFromLegacyPeers() {
    assertThat(violationOf(() -> ConfigChecks.checkStatusWrite("ep0", 0, A | D | OK, false)))
        .isEqualTo(ConfigViolation.STATUS_OUT_OF_ORDER);
    assertThat(violationOf(() -> ConfigChecks.checkStatusWrite("ep0", 0, D, false)))
        .isEqualTo(ConfigViolation.STATUS_OUT_OF_ORDER);
    assertThat(violationOf(() -> ConfigChecks.checkStatusWrite("ep0", A, A | F, false)))
        .isEqualTo(ConfigViolation.STATUS_OUT_OF_ORDER);
    // OpenAMP's driver writes 0x04 alone (FACTS §9.3).
    assertThatCode(() -> ConfigChecks.checkStatusWrite("rproc", 0, OK, true)).doesNotThrowAnyException();
  }

  @Test
  void failedFromTheDriverIsReported() {
    assertThat(violationOf(() -> ConfigChecks.checkStatusWrite("ep0", A | D, A | D | STATUS_FAILED, false)))
        .isEqualTo(ConfigViolation.DRIVER_FAILED);
  }

  @Test
  void aWellFormedQueueResolves() {
    QueueGeometry g = QueueGeometry.legacy(0x8000_0000L, 256, 4096);
    QueueGeometry checked = ConfigChecks.checkQueue("ep0", 1, 2, 1024, 256, g.descAddr(), g.availAddr(),
        g.usedAddr(), window);
    assertThat(checked).isEqualTo(g);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 3, 100, 65535})
  void queueSizesThatAreNotPowersOfTwoAreRefused(int size) {
    assertThatThrownBy(() -> ConfigChecks.checkQueue("ep0", 0, 2, 32768, size, 0x8000_0000L, 0x8000_4000L,
        0x8000_8000L, window))
        .isInstanceOfSatisfying(ConfigViolationException.class, e -> {
          assertThat(e.violation()).isEqualTo(ConfigViolation.QUEUE_SIZE_NOT_POWER_OF_TWO);
          assertThat(e.field()).isEqualTo("queue 0 queue_size");
          assertThat(e.value()).isEqualTo(size);
        });
  }

  @Test
  void queueSizesAboveTheMaximumAreRefused() {
    assertThat(violationOf(() -> ConfigChecks.checkQueue("ep0", 0, 2, 256, 512, 0x8000_0000L, 0x8000_4000L,
        0x8000_8000L, window))).isEqualTo(ConfigViolation.QUEUE_SIZE_TOO_LARGE);
    assertThat(violationOf(() -> ConfigChecks.checkQueue("ep0", 0, 2, 1 << 20, 65536, 0x8000_0000L, 0x8000_4000L,
        0x8000_8000L, window))).isEqualTo(ConfigViolation.QUEUE_SIZE_TOO_LARGE);
  }

  @Test
  void ringsOutsideTheWindowOrMisalignedAreRefusedNamingTheRegister() {
    assertThatThrownBy(() -> ConfigChecks.checkQueue("ep0", 0, 2, 256, 16, 0x1000L, 0x8000_4000L, 0x8000_8000L,
        window))
        .isInstanceOfSatisfying(ConfigViolationException.class, e -> {
          assertThat(e.violation()).isEqualTo(ConfigViolation.RING_ADDRESS);
          assertThat(e.field()).isEqualTo("queue 0 queue_desc");
          assertThat(e.value()).isEqualTo(0x1000L);
        });
    assertThatThrownBy(() -> ConfigChecks.checkQueue("ep0", 0, 2, 256, 16, 0x8000_0000L, 0x8000_4000L,
        0x8000_8002L, window))
        .isInstanceOfSatisfying(ConfigViolationException.class, e -> {
          assertThat(e.violation()).isEqualTo(ConfigViolation.RING_ADDRESS);
          assertThat(e.field()).isEqualTo("queue 0 queue_device");
        });
    assertThat(violationOf(() -> ConfigChecks.checkQueue("ep0", 0, 2, 256, 16, 0x8000_0000L, 0x8000_4000L,
        0x8000_0000L + 64 * 1024 - 8, window))).isEqualTo(ConfigViolation.RING_ADDRESS);
  }

  @Test
  void aQueueTheDeviceDoesNotHaveIsRefused() {
    assertThat(violationOf(() -> ConfigChecks.checkQueue("ep0", 2, 2, 256, 16, 0x8000_0000L, 0x8000_4000L,
        0x8000_8000L, window))).isEqualTo(ConfigViolation.NO_SUCH_QUEUE);
  }
}
