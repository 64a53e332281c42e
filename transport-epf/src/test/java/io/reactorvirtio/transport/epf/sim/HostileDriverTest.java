package io.reactorvirtio.transport.epf.sim;

import static io.reactorvirtio.virtio.transport.VirtioRegisters.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.vhost.transport.VhostTransportLink;
import io.reactorvirtio.virtio.ConfigViolation;
import io.reactorvirtio.virtio.ConfigViolationException;
import io.reactorvirtio.virtio.LinkEvent;
import io.reactorvirtio.virtio.LinkState;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.spi.DriverTransport;
import io.reactorvirtio.virtio.spi.RegisterFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A hostile driver writes impossible values into the EP's register BAR: the device link refuses
 * each with NEEDS_RESET and a ConfigViolationException naming the register and the value on its
 * event stream, within the bound, touches nothing in RC memory, and negotiates again after a reset.
 */
class HostileDriverTest {

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  static final int N = 64;
  static final Duration BOUND = Duration.ofMillis(300);
  static final Duration REPORTED_WITHIN = Duration.ofSeconds(5);
  static final byte CANARY = (byte) 0xA5;

  DriverTransport rc;
  RegisterFile regs;
  VhostTransportLink device;
  int session;
  long bus;
  MemorySegment memory;

  @BeforeEach
  void start() {
    Path file = shm.newPath("hostile-driver");
    rc = SimulatedEpf.rootComplex(file, EpfSimOptions.defaults());
    regs = rc.registers();
    bus = rc.memoryBusAddress();
    memory = rc.memory();
    memory.fill(CANARY);
    device = VhostTransportLink.create(SimulatedEpf.endpoint(file),
        ShmLinkOptions.defaults().withQueueSize(N).withLiveness(Duration.ZERO), BOUND);
  }

  @AfterEach
  void stop() {
    device.close();
    rc.close();
  }

  /** The device's acknowledgement of {@code status} for this session, waited for. */
  void awaitAck(int status) {
    long deadline = System.nanoTime() + REPORTED_WITHIN.toNanos();
    while (regs.read(ACK_SESSION) != session || regs.read(STATUS_ACK) != status) {
      assertThat(System.nanoTime()).as("device acknowledges 0x%x", status).isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  void reset() {
    while (regs.read(MAGIC) != MAGIC_VALUE) {
      Thread.onSpinWait();
    }
    regs.write(DEVICE_STATUS, 0);
    session = regs.read(SESSION) + 1;
    regs.write(SESSION, session);
    awaitAck(0);
  }

  void features(long accepted) {
    regs.write(DRIVER_FEATURE_LO, (int) accepted);
    regs.write(DRIVER_FEATURE_HI, (int) (accepted >>> 32));
    regs.write(BUFFER_SIZE, 512);
    regs.write(DEVICE_STATUS, 0x0B);
  }

  /** A correct legacy-layout queue q at bus + q * 0x2000. */
  void goodQueue(int q) {
    long desc = bus + q * 0x2000L;
    program(q, N, desc, desc + 16L * N, desc + 0x1000);
  }

  void program(int q, int size, long desc, long avail, long used) {
    regs.write(queue(q, QUEUE_SIZE), size);
    regs.write(queue(q, QUEUE_DESC_LO), (int) desc);
    regs.write(queue(q, QUEUE_DESC_HI), (int) (desc >>> 32));
    regs.write(queue(q, QUEUE_DRIVER_LO), (int) avail);
    regs.write(queue(q, QUEUE_DRIVER_HI), (int) (avail >>> 32));
    regs.write(queue(q, QUEUE_DEVICE_LO), (int) used);
    regs.write(queue(q, QUEUE_DEVICE_HI), (int) (used >>> 32));
    regs.write(queue(q, QUEUE_ENABLE), 1);
  }

  /** Runs {@code hostile} after a reset and returns the refusal the device reports. */
  ConfigViolationException refusalOf(Consumer<HostileDriverTest> hostile) {
    reset();
    long start = System.nanoTime();
    hostile.accept(this);
    LinkEvent e = device.events().filter(ev -> ev.state() == LinkState.NEEDS_RESET).blockFirst(REPORTED_WITHIN);
    assertThat(e).isNotNull();
    assertThat(System.nanoTime() - start).isLessThan(REPORTED_WITHIN.toNanos());
    assertThat(e.problem()).isInstanceOf(ConfigViolationException.class);
    ConfigViolationException why = (ConfigViolationException) e.problem();
    // The reason is in the registers too, for the driver; and the device touched no RC memory.
    assertThat(regs.read(STATUS_ACK) & 0x40).as("DEVICE_NEEDS_RESET").isEqualTo(0x40);
    assertThat(regs.read(ERROR_CODE)).isEqualTo(why.violation().ordinal() + 1);
    assertThat(memory.elements(ValueLayout.JAVA_BYTE).allMatch(b -> b.get(ValueLayout.JAVA_BYTE, 0) == CANARY))
        .as("RC memory untouched").isTrue();
    return why;
  }

  @Test
  void aQueueSizeThatIsNotAPowerOfTwoIsRefused() {
    ConfigViolationException why = refusalOf(t -> {
      t.features(F_VERSION_1 | F_EVENT_IDX);
      t.awaitAck(0x0B);
      t.goodQueue(0);
      long desc = t.bus + 0x2000;
      t.program(1, 100, desc, desc + 1600, desc + 0x1000);
      t.regs.write(DEVICE_STATUS, 0x0F);
    });
    assertThat(why.violation()).isEqualTo(ConfigViolation.QUEUE_SIZE_NOT_POWER_OF_TWO);
    assertThat(why).hasMessageContaining("queue 1 queue_size = 100");
    assertThat(regs.read(ERROR_QUEUE)).isEqualTo(1);
    assertThat(regs.read(ERROR_VALUE)).isEqualTo(100);
  }

  @Test
  void aQueueSizeAboveTheMaximumIsRefused() {
    ConfigViolationException why = refusalOf(t -> {
      t.features(F_VERSION_1);
      t.awaitAck(0x0B);
      t.program(0, 65536, t.bus, t.bus + 16L * 65536, t.bus + 0x200000);
      t.goodQueue(1);
      t.regs.write(DEVICE_STATUS, 0x0F);
    });
    assertThat(why.violation()).isEqualTo(ConfigViolation.QUEUE_SIZE_TOO_LARGE);
    assertThat(why).hasMessageContaining("queue_size = 65536");
  }

  @Test
  void ringAddressesOutsideTheWindowAreRefused() {
    ConfigViolationException why = refusalOf(t -> {
      t.features(F_VERSION_1);
      t.awaitAck(0x0B);
      t.goodQueue(0);
      // File offsets instead of bus addresses: outside the EP's outbound window.
      t.program(1, N, 0x2000, 0x2000 + 16L * N, 0x3000);
      t.regs.write(DEVICE_STATUS, 0x0F);
    });
    assertThat(why.violation()).isEqualTo(ConfigViolation.RING_ADDRESS);
    assertThat(why).hasMessageContaining("queue 1");
  }

  @Test
  void featuresTheDeviceNeverOfferedAreRefusedAtFeaturesOk() {
    ConfigViolationException why = refusalOf(t -> t.features(F_VERSION_1 | 1L << 5));
    assertThat(why.violation()).isEqualTo(ConfigViolation.FEATURES_NOT_OFFERED);
    assertThat(why).hasMessageContaining("driver_feature = 32");
    assertThat(regs.read(STATUS_ACK) & 0x08).as("FEATURES_OK not acknowledged").isZero();
  }

  @Test
  void statusGoingBackwardsIsRefused() {
    ConfigViolationException why = refusalOf(t -> {
      t.features(F_VERSION_1);
      t.awaitAck(0x0B);
      t.regs.write(DEVICE_STATUS, 0x03);
    });
    assertThat(why.violation()).isEqualTo(ConfigViolation.STATUS_BACKWARDS);
  }

  @Test
  void aDriverThatNeverSetsDriverOkIsRefusedAfterTheBound() {
    long start = System.nanoTime();
    ConfigViolationException why = refusalOf(t -> {
      t.features(F_VERSION_1 | F_EVENT_IDX);
      t.awaitAck(0x0B);
      t.goodQueue(0);
      t.goodQueue(1);
    });
    assertThat(why.violation()).isEqualTo(ConfigViolation.NO_DRIVER_OK);
    assertThat(System.nanoTime() - start).as("not before the bound").isGreaterThanOrEqualTo(BOUND.toNanos());
  }

  @Test
  void afterARefusalAResetAndACorrectConfigurationBringTheDeviceUp() {
    refusalOf(t -> t.features(1L << 40));
    memory.fill((byte) 0); // a real driver initialises its rings
    reset();
    assertThat(device.state()).isEqualTo(LinkState.NEGOTIATING);
    features(F_VERSION_1 | F_EVENT_IDX);
    awaitAck(0x0B);
    goodQueue(0);
    goodQueue(1);
    regs.write(DEVICE_STATUS, 0x0F);
    awaitAck(0x0F);
    assertThat(device.states().filter(s -> s == LinkState.UP).blockFirst(REPORTED_WITHIN)).isEqualTo(LinkState.UP);
    assertThat(device.queues()).hasSize(2);
    assertThat(regs.read(ERROR_CODE)).isZero();
  }
}
