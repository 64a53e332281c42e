package io.reactorvirtio.transport.epf.sim;

import static io.reactorvirtio.virtio.transport.VirtioRegisters.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.virtio.ConfigViolation;
import io.reactorvirtio.virtio.ConfigViolationException;
import io.reactorvirtio.virtio.LinkDownException;
import io.reactorvirtio.virtio.LinkEvent;
import io.reactorvirtio.virtio.LinkState;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.spi.DeviceTransport;
import io.reactorvirtio.virtio.spi.RegisterFile;
import io.reactorvirtio.virtio.transport.VirtioTransportLink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The driver side facing devices that are wrong or never answer: clear reasons, bounded retries, FAILED. */
class HostileDeviceTest {

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  static final ShmLinkOptions OPTIONS = ShmLinkOptions.defaults().withQueueSize(64).withLiveness(Duration.ZERO);
  static final Duration STEP = Duration.ofMillis(200);

  /** Publishes a device as the real one would, with {@code deviceId}, and then never acknowledges anything. */
  static void publishMute(RegisterFile regs, int deviceId) {
    regs.write(VERSION, VERSION_VALUE);
    regs.write(DEVICE_ID, deviceId);
    regs.write(DEVICE_FEATURE_LO, (int) F_EVENT_IDX);
    regs.write(DEVICE_FEATURE_HI, (int) (F_VERSION_1 >>> 32));
    regs.write(NUM_QUEUES, 2 | 1 << 16);
    regs.write(queue(0, QUEUE_MAX_SIZE), 256);
    regs.write(queue(1, QUEUE_MAX_SIZE), 256);
    regs.write(STATUS_ACK, 0x0F);
    regs.write(ACK_SESSION, -7);
    regs.write(MAGIC, MAGIC_VALUE);
  }

  @Test
  void aDeviceThatNeverAcknowledgesIsRetriedThenTheLinkFailsWithTheReason() {
    Path file = shm.newPath("mute-device");
    try (VirtioTransportLink rc = VirtioTransportLink.create(SimulatedEpf.rootComplex(file, EpfSimOptions.defaults()),
        OPTIONS, STEP);
        DeviceTransport ep = SimulatedEpf.endpoint(file)) {
      publishMute(ep.registers(), 7);
      long start = System.nanoTime();
      List<LinkEvent> events = rc.events().filter(e -> e.problem() != null)
          .takeUntil(e -> e.state() == LinkState.FAILED).collectList().block(Duration.ofSeconds(20));
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(events).extracting(LinkEvent::state)
          .containsExactly(LinkState.NEEDS_RESET, LinkState.NEEDS_RESET, LinkState.FAILED);
      assertThat(events.get(2).problem()).isInstanceOf(LinkDownException.class)
          .hasMessageContaining("did not acknowledge device_status 0x0");
      // Three unacknowledged steps of 200 ms plus the back-off pauses (100 + 200 ms), with slack.
      assertThat(tookMs).isBetween(3 * STEP.toMillis(), 10_000L);
      assertThat(rc.state()).isEqualTo(LinkState.FAILED);
    }
  }

  @Test
  void aDeviceWithAnotherDeviceIdFailsTheLinkNamingBoth() {
    Path file = shm.newPath("wrong-device");
    try (VirtioTransportLink rc = VirtioTransportLink.create(SimulatedEpf.rootComplex(file, EpfSimOptions.defaults()),
        OPTIONS, STEP);
        DeviceTransport ep = SimulatedEpf.endpoint(file)) {
      RegisterFile regs = ep.registers();
      publishMute(regs, 3);
      // Acknowledge the reset, as a real device would, so that the driver gets to look at the id.
      int session;
      long deadline = System.nanoTime() + 5_000_000_000L;
      while ((session = regs.read(SESSION)) == 0) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        Thread.onSpinWait();
      }
      regs.write(STATUS_ACK, 0);
      regs.write(ACK_SESSION, session);
      LinkEvent failed = rc.events().filter(e -> e.state() == LinkState.FAILED).blockFirst(Duration.ofSeconds(5));
      assertThat(failed.problem()).isInstanceOf(ConfigViolationException.class);
      assertThat(((ConfigViolationException) failed.problem()).violation()).isEqualTo(ConfigViolation.DEVICE_MISMATCH);
      assertThat(failed.problem()).hasMessageContaining("device id 3 (this link carries 7)");
    }
  }
}
