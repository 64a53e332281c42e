package io.reactorvirtio.transport.ntb.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.vhost.transport.VhostTransportLink;
import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.LinkDownException;
import io.reactorvirtio.virtio.LinkState;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.transport.VirtioRegisters;
import io.reactorvirtio.virtio.transport.VirtioTransportLink;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;

/**
 * Both sides of a simulated NTB link in one JVM (HOST1 the virtio driver, HOST2 the vhost device):
 * negotiation over the scratchpads, traffic on doorbell bit = queue index, re-negotiation after
 * HOST2 goes away.
 */
class NtbSimLinkTest {

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  static final ShmLinkOptions OPTIONS = ShmLinkOptions.defaults().withQueueSize(64);
  static final Duration UP_WITHIN = Duration.ofSeconds(10);

  static void awaitState(Flux<LinkState> states, LinkState wanted) {
    assertThat(states.filter(s -> s == wanted).blockFirst(UP_WITHIN)).isEqualTo(wanted);
  }

  /** Sends n sequence numbers on the driver's queue 1; the device echoes them back on queue 0. */
  static void echoRoundTrip(VirtioTransportLink driver, VhostTransportLink device, int n) {
    var echo = device.queue(0).send(device.queue(1).receive().take(n), (BufferLease lease, MemorySegment buf) -> {
      int len = lease.length();
      lease.copyTo(buf, 0);
      lease.release();
      return len;
    }).subscribe();
    try {
      List<Long> back = driver.queue(0).receive().take(n).map(lease -> {
        long v = lease.data().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        lease.release();
        return v;
      }).collectList().zipWith(driver.queue(1).send(Flux.range(0, n), (Integer i, MemorySegment buf) -> {
        buf.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, i);
        return 8;
      }).thenReturn(0)).map(t -> t.getT1()).block(Duration.ofSeconds(30));
      assertThat(back).hasSize(n);
      for (int i = 0; i < n; i++) {
        assertThat(back.get(i)).isEqualTo(i);
      }
    } finally {
      echo.dispose();
    }
  }

  @Test
  void bothHostsNegotiateOverTheScratchpadsAndEchoWithQueueIndexAsDoorbellBit() throws Exception {
    Path file = shm.newPath("ntb");
    SimulatedNtb.Host1 host1 = SimulatedNtb.host1(file, NtbSimOptions.defaults());
    SimulatedNtb.Host2 host2 = SimulatedNtb.host2(file);
    // Taken before the transports go to the links (which own them from then on).
    NtbSimInterruptSource host1Irq = host1.interrupts();
    NtbSimInterruptSource host2Irq = host2.interrupts();
    try (VirtioTransportLink driver = VirtioTransportLink.create(host1, OPTIONS);
        VhostTransportLink device = VhostTransportLink.create(host2, OPTIONS)) {
      awaitState(driver.states(), LinkState.UP);
      awaitState(device.states(), LinkState.UP);
      assertThat(driver.negotiatedFeatures()).isEqualTo(VirtioRegisters.F_VERSION_1 | VirtioRegisters.F_EVENT_IDX);
      assertThat(device.queues()).hasSize(2);
      assertThat(device.queue(0).size()).isEqualTo(64);
      assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
      // The rings were programmed with bus addresses in MW0 (HOST2's window), not file offsets.
      var regs = host1.registers();
      long desc = (regs.read(VirtioRegisters.queue(1, VirtioRegisters.QUEUE_DESC_LO)) & 0xFFFF_FFFFL)
          | (long) regs.read(VirtioRegisters.queue(1, VirtioRegisters.QUEUE_DESC_HI)) << 32;
      assertThat(desc).isGreaterThanOrEqualTo(NtbSimOptions.DEFAULT_MW_BUS_BASE)
          .isLessThan(NtbSimOptions.DEFAULT_MW_BUS_BASE + NtbSimOptions.DEFAULT_MW_SIZE);

      echoRoundTrip(driver, device, 5_000);

      // Queue index = doorbell bit number (FACTS §7): the driver's send queue (1) rang HOST2's
      // bit 1; the device's used notifications on queue 0 rang HOST1's bit 0.
      assertThat(host2Irq.consumedBits() & 0b10).as("HOST2 consumed 0x%x", host2Irq.consumedBits()).isEqualTo(0b10);
      assertThat(host1Irq.consumedBits() & 0b01).as("HOST1 consumed 0x%x", host1Irq.consumedBits()).isEqualTo(0b01);
      assertThat(host1Irq.consumedBits() | host2Irq.consumedBits()).as("only queue bits 0 and 1").isEqualTo(0b11);
    }
    assertThat(file).doesNotExist();
  }

  @Test
  void aNewHost2AfterTheOldOneDisabledItsLinkIsNegotiatedAgainAndInFlightWorkFailedClearly() {
    Path file = shm.newPath("ntb-restart");
    try (VirtioTransportLink driver = VirtioTransportLink.create(SimulatedNtb.host1(file, NtbSimOptions.defaults()),
        OPTIONS)) {
      var first = VhostTransportLink.create(SimulatedNtb.host2(file), OPTIONS);
      awaitState(driver.states(), LinkState.UP);
      awaitState(first.states(), LinkState.UP);
      var pending = driver.queue(0).receive().next().toFuture();
      first.close(); // HOST2 clears its link enable: HOST1 sees the NTB link go down
      assertThat(pending).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingCause()
          .isInstanceOf(LinkDownException.class).withMessageContaining("hardware link went down");
      try (VhostTransportLink second = VhostTransportLink.create(SimulatedNtb.host2(file), OPTIONS)) {
        awaitState(driver.states(), LinkState.UP);
        awaitState(second.states(), LinkState.UP);
        assertThat(driver.negotiatedFeatures()).isEqualTo(VirtioRegisters.F_VERSION_1 | VirtioRegisters.F_EVENT_IDX);
        echoRoundTrip(driver, second, 1_000);
      }
    }
    assertThat(file).doesNotExist();
  }
}
