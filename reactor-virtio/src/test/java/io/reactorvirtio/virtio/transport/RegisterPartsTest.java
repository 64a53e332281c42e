package io.reactorvirtio.virtio.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.virtio.transport.MemoryRegisterFile;
import io.reactorvirtio.virtio.notify.PollingInterruptSource;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The parts a transport link is built from: the register layout, memory registers, polling. */
class RegisterPartsTest {

  @Test
  void theRegisterLayoutFitsEightQueuesInOneHundredRegistersWithoutOverlap() {
    assertThat(VirtioRegisters.count(VirtioRegisters.MAX_QUEUES)).isEqualTo(100);
    assertThat(VirtioRegisters.queue(0, VirtioRegisters.QUEUE_MAX_SIZE)).isGreaterThan(VirtioRegisters.BUFFER_SIZE);
    assertThat(VirtioRegisters.queue(1, VirtioRegisters.QUEUE_MAX_SIZE))
        .isGreaterThan(VirtioRegisters.queue(0, VirtioRegisters.QUEUE_DEVICE_HI));
    assertThat(VirtioRegisters.F_VERSION_1).isEqualTo(1L << 32);
  }

  @Test
  void memoryRegistersAreLittleEndianWordsAtTheirIndexAndRefuseOthers() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = arena.allocate(64, 8);
      MemoryRegisterFile regs = new MemoryRegisterFile(seg, 8, 4);
      regs.write(2, 0x11223344);
      assertThat(seg.get(ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN), 8 + 8)).isEqualTo(0x11223344);
      assertThat(seg.get(ValueLayout.JAVA_BYTE, 16)).isEqualTo((byte) 0x44);
      assertThat(regs.read(2)).isEqualTo(0x11223344);
      assertThatThrownBy(() -> regs.read(4)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> regs.write(-1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> new MemoryRegisterFile(seg, 2, 4)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new MemoryRegisterFile(seg, 8, 15)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aPollingSourceSleepsOneIntervalAndWakesAtOnceForLocalWork() throws Exception {
    PollingInterruptSource src = new PollingInterruptSource(Duration.ofMillis(200));
    // Woken locally while parked: returns long before the interval.
    CompletableFuture<Long> parked = CompletableFuture.supplyAsync(() -> {
      long t0 = System.nanoTime();
      src.await(src.arm(), -1);
      return System.nanoTime() - t0;
    });
    Thread.sleep(20);
    src.wakeLocal();
    assertThat(parked.get()).isLessThan(Duration.ofMillis(190).toNanos());
    // A wake requested before the park makes the next park return at once.
    src.wakeLocal();
    long t0 = System.nanoTime();
    src.await(src.arm(), -1);
    assertThat(System.nanoTime() - t0).isLessThan(Duration.ofMillis(190).toNanos());
    // Otherwise it parks for the interval (or the caller's shorter bound).
    t0 = System.nanoTime();
    src.await(src.arm(), Duration.ofMillis(30).toNanos());
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(29).toNanos());
    assertThatThrownBy(() -> new PollingInterruptSource(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
