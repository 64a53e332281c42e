package io.reactorvirtio.transport.epf.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.vhost.transport.VhostTransportLink;
import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.LinkDownException;
import io.reactorvirtio.virtio.LinkState;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.memory.SharedRegion;
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

/** Both sides of a simulated RC/EP link in one JVM: negotiation, traffic, re-negotiation. */
class EpfSimLinkTest {

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  static final ShmLinkOptions OPTIONS = ShmLinkOptions.defaults().withQueueSize(64);
  static final Duration UP_WITHIN = Duration.ofSeconds(10);

  static void eventually(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + UP_WITHIN.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within %s", UP_WITHIN).isLessThan(deadline);
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
  }

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
  void bothSidesNegotiateOverTheRegisterBarAndCarryTrafficBothWays() throws Exception {
    Path file = shm.newPath("epf");
    try (VirtioTransportLink rc = VirtioTransportLink.create(SimulatedEpf.rootComplex(file, EpfSimOptions.defaults()),
        OPTIONS);
        VhostTransportLink ep = VhostTransportLink.create(SimulatedEpf.endpoint(file), OPTIONS)) {
      awaitState(rc.states(), LinkState.UP);
      awaitState(ep.states(), LinkState.UP);
      assertThat(rc.negotiatedFeatures()).isEqualTo(VirtioRegisters.F_VERSION_1 | VirtioRegisters.F_EVENT_IDX);
      assertThat(ep.bufferSize()).isEqualTo(512);
      assertThat(ep.queues()).hasSize(2);
      assertThat(ep.queue(0).size()).isEqualTo(64);
      assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
      // The rings were programmed with bus addresses (the EP's window), not file offsets.
      try (SharedRegion raw = SharedRegion.open(file)) {
        var regs = new io.reactorvirtio.virtio.transport.MemoryRegisterFile(raw.segment(), EpfSimLayout.BAR0_OFFSET,
            EpfSimLayout.REGISTERS);
        long desc = (regs.read(VirtioRegisters.queue(1, VirtioRegisters.QUEUE_DESC_LO)) & 0xFFFF_FFFFL)
            | (long) regs.read(VirtioRegisters.queue(1, VirtioRegisters.QUEUE_DESC_HI)) << 32;
        assertThat(desc).isGreaterThanOrEqualTo(EpfSimOptions.DEFAULT_BUS_BASE)
            .isLessThan(EpfSimOptions.DEFAULT_BUS_BASE + EpfSimOptions.defaults().memorySize());
        assertThat(regs.read(VirtioRegisters.STATUS_ACK)).isEqualTo(0x0F);
      }
      echoRoundTrip(rc, ep, 5_000);
    }
    assertThat(file).doesNotExist();
  }

  @Test
  void anEndpointWithoutADoorbellInterruptPollsAtTheConfiguredInterval() {
    Path file = shm.newPath("epf-poll");
    try (VirtioTransportLink rc = VirtioTransportLink.create(
        SimulatedEpf.rootComplex(file, EpfSimOptions.defaults().withPolling(Duration.ofMillis(1))), OPTIONS);
        VhostTransportLink ep = VhostTransportLink.create(SimulatedEpf.endpoint(file), OPTIONS)) {
      awaitState(rc.states(), LinkState.UP);
      awaitState(ep.states(), LinkState.UP);
      echoRoundTrip(rc, ep, 500);
    }
  }

  @Test
  void aNewEndpointAfterTheOldOneStoppedIsNegotiatedAgainAndInFlightWorkFailedClearly() {
    Path file = shm.newPath("epf-restart");
    try (VirtioTransportLink rc = VirtioTransportLink.create(SimulatedEpf.rootComplex(file, EpfSimOptions.defaults()),
        OPTIONS)) {
      var first = VhostTransportLink.create(SimulatedEpf.endpoint(file), OPTIONS);
      awaitState(rc.states(), LinkState.UP);
      var pending = rc.queue(0).receive().next().toFuture();
      first.close(); // the EP function stops: the RC sees its link go down
      assertThat(pending).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingCause()
          .isInstanceOf(LinkDownException.class).withMessageContaining("hardware link went down");
      try (VhostTransportLink second = VhostTransportLink.create(SimulatedEpf.endpoint(file), OPTIONS)) {
        awaitState(rc.states(), LinkState.UP);
        awaitState(second.states(), LinkState.UP);
        echoRoundTrip(rc, second, 1_000);
      }
    }
  }

  @Test
  void theVhostDriverForTheDeviceIdIsProbedWhenTheLinkIsUpAndRemovedWhenTheDriverResetsIt() {
    Path file = shm.newPath("epf-probe");
    var probed = new java.util.concurrent.CopyOnWriteArrayList<String>();
    var registry = new io.reactorvirtio.vhost.VhostDriverRegistry();
    registry.register(io.reactorvirtio.vhost.VhostDriver.of("console", java.util.Set.of(3),
        d -> probed.add("console probe"), d -> probed.add("console remove")));
    registry.register(io.reactorvirtio.vhost.VhostDriver.of("rpmsg", java.util.Set.of(7),
        d -> probed.add("rpmsg probe " + d.queues().size() + " queues"), d -> probed.add("rpmsg remove")));
    VirtioTransportLink rc = VirtioTransportLink.create(SimulatedEpf.rootComplex(file, EpfSimOptions.defaults()),
        OPTIONS);
    try (VhostTransportLink ep = VhostTransportLink.create(SimulatedEpf.endpoint(file), OPTIONS)) {
      var binding = registry.add(ep);
      awaitState(ep.states(), LinkState.UP);
      eventually(() -> probed.contains("rpmsg probe 2 queues"));
      rc.close(); // the driver resets the device (status 0) on its way out
      awaitState(ep.states(), LinkState.NEGOTIATING);
      eventually(() -> probed.contains("rpmsg remove"));
      assertThat(probed).containsExactly("rpmsg probe 2 queues", "rpmsg remove");
      binding.dispose();
    } finally {
      rc.close();
    }
  }

  @Test
  void theEndpointRefusesACorruptHeaderNamingTheField() throws Exception {
    Path file = shm.newPath("epf-corrupt");
    try (var rc = SimulatedEpf.rootComplex(file, EpfSimOptions.defaults());
        SharedRegion raw = SharedRegion.open(file)) {
      MemorySegment seg = raw.segment();
      var u32 = ValueLayout.JAVA_INT;
      var u64 = ValueLayout.JAVA_LONG;
      record Corruption(String field, Runnable apply, Runnable undo) {}
      int regs = seg.get(u32, EpfSimLayout.REGISTERS_OFFSET);
      long mem = seg.get(u64, EpfSimLayout.MEMORY_SIZE_OFFSET);
      long bus = seg.get(u64, EpfSimLayout.BUS_BASE_OFFSET);
      List<Corruption> cases = List.of(
          new Corruption("magic", () -> seg.set(u64, 0, 42L), () -> seg.set(u64, 0, EpfSimLayout.MAGIC)),
          new Corruption("version", () -> seg.set(u32, EpfSimLayout.VERSION_OFFSET, 9),
              () -> seg.set(u32, EpfSimLayout.VERSION_OFFSET, 1)),
          new Corruption("registers", () -> seg.set(u32, EpfSimLayout.REGISTERS_OFFSET, 5000),
              () -> seg.set(u32, EpfSimLayout.REGISTERS_OFFSET, regs)),
          new Corruption("memory_size", () -> seg.set(u64, EpfSimLayout.MEMORY_SIZE_OFFSET, mem * 2),
              () -> seg.set(u64, EpfSimLayout.MEMORY_SIZE_OFFSET, mem)),
          new Corruption("bus_base", () -> seg.set(u64, EpfSimLayout.BUS_BASE_OFFSET, -4096L),
              () -> seg.set(u64, EpfSimLayout.BUS_BASE_OFFSET, bus)),
          new Corruption("notify_mode", () -> seg.set(u32, EpfSimLayout.NOTIFY_MODE_OFFSET, 7),
              () -> seg.set(u32, EpfSimLayout.NOTIFY_MODE_OFFSET, 0)));
      for (Corruption c : cases) {
        c.apply().run();
        assertThatThrownBy(() -> SimulatedEpf.endpoint(file)).as(c.field())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining(c.field() + " = ");
        c.undo().run();
      }
      SimulatedEpf.endpoint(file).close(); // sound again
    }
  }
}
