package io.reactorvirtio.transport.epf.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link UioInterruptSource} with a FIFO standing in for {@code /dev/uioX}: a writer plays the
 * kernel, writing 4-byte native-order interrupt counts. Like the device, the FIFO is pollable and
 * blocks readers until data arrives; closing the writer plays the device going away.
 */
class UioInterruptSourceTest {

  static final long LONG = TimeUnit.SECONDS.toNanos(20);

  @TempDir Path root;
  Path fifo;
  final ExecutorService poller = Executors.newSingleThreadExecutor();

  @BeforeEach
  void mkfifo() throws Exception {
    fifo = root.resolve("uio0");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
  }

  @AfterEach
  void stop() {
    poller.shutdownNow();
  }

  static byte[] count(int n) {
    return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(n).array();
  }

  CompletableFuture<Void> park(UioInterruptSource irq, int token, long timeout) {
    return CompletableFuture.runAsync(() -> irq.await(token, timeout), poller);
  }

  @Test
  void blocksUntilACountArrivesThenReenables() throws Exception {
    Path config = root.resolve("config");
    byte[] cfg = new byte[64];
    cfg[4] = 0x06;
    cfg[5] = 0x04; // the kernel set INTx-disable on the interrupt
    Files.write(config, cfg);
    try (UioInterruptSource irq = UioInterruptSource.open(fifo, UioIrqReenable.pciIntx(config));
        OutputStream kernel = new FileOutputStream(fifo.toFile())) {
      int token = irq.arm();
      assertThat(token).isZero();
      CompletableFuture<Void> parked = park(irq, token, LONG);
      Thread.sleep(100);
      assertThat(parked).isNotDone();
      kernel.write(count(1));
      kernel.flush();
      parked.get(10, TimeUnit.SECONDS);
      assertThat(irq.arm()).isEqualTo(1);
      assertThat(irq.interruptsSeen()).isEqualTo(1);
      byte[] after = Files.readAllBytes(config);
      assertThat(after[5]).isZero(); // INTx re-enabled
      assertThat(after[4]).isEqualTo((byte) 0x06); // nothing else touched

      // two interrupts coalesced in the "kernel": each await consumes exactly one 4-byte count
      kernel.write(count(2));
      kernel.write(count(-7)); // a signed count: any change counts
      kernel.flush();
      irq.await(irq.arm(), LONG);
      assertThat(irq.lastCount()).isEqualTo(2);
      irq.await(irq.arm(), LONG);
      assertThat(irq.lastCount()).isEqualTo(-7);
      // a token older than the last count returns at once without reading
      irq.await(1, LONG);
      assertThat(irq.interruptsSeen()).isEqualTo(3);
    }
  }

  @Test
  void timesOutAndWakesLocally() throws Exception {
    try (UioInterruptSource irq = UioInterruptSource.open(fifo, UioIrqReenable.none());
        OutputStream kernel = new FileOutputStream(fifo.toFile())) {
      long t0 = System.nanoTime();
      irq.await(irq.arm(), TimeUnit.MILLISECONDS.toNanos(50));
      long took = System.nanoTime() - t0;
      assertThat(took).isBetween(TimeUnit.MILLISECONDS.toNanos(45), TimeUnit.SECONDS.toNanos(10));
      assertThat(irq.interruptsSeen()).isZero();

      CompletableFuture<Void> parked = park(irq, irq.arm(), -1);
      Thread.sleep(100);
      assertThat(parked).isNotDone();
      irq.wakeLocal();
      parked.get(10, TimeUnit.SECONDS);
      assertThat(irq.interruptsSeen()).isZero(); // a wake is not an interrupt
      // the wake was drained: the next wait times out again
      irq.await(irq.arm(), TimeUnit.MILLISECONDS.toNanos(20));
      assertThat(irq.interruptsSeen()).isZero();
    }
  }

  @Test
  void aShortReadIsAClearError() throws Exception {
    try (UioInterruptSource irq = UioInterruptSource.open(fifo, UioIrqReenable.none());
        OutputStream kernel = new FileOutputStream(fifo.toFile())) {
      kernel.write(new byte[] {1, 0}); // only 2 bytes: never what real UIO returns
      kernel.flush();
      assertThatThrownBy(() -> irq.await(irq.arm(), LONG))
          .isInstanceOf(LinuxDeviceException.class)
          .isNotInstanceOf(DeviceGoneException.class)
          .hasMessageContaining("returned 2 bytes").hasMessageContaining("exactly 4 bytes");
    }
  }

  @Test
  void peerGoneIsDeviceGone() throws Exception {
    try (UioInterruptSource irq = UioInterruptSource.open(fifo, UioIrqReenable.none())) {
      CompletableFuture<Void> parked;
      try (OutputStream kernel = new FileOutputStream(fifo.toFile())) {
        kernel.write(count(5));
        kernel.flush();
        irq.await(irq.arm(), LONG);
        assertThat(irq.lastCount()).isEqualTo(5);
        parked = park(irq, irq.arm(), LONG);
        Thread.sleep(50);
        assertThat(parked).isNotDone();
      } // the writer goes away
      assertThat(parked).failsWithin(10, TimeUnit.SECONDS)
          .withThrowableThat().havingCause().isInstanceOf(DeviceGoneException.class)
          .withMessageContaining("end of file");
    }
  }

  @Test
  void writeOneReenablesThroughTheDeviceFile() throws IOException {
    // A plain file as the device: always readable, holds one count; the source writes its 1 after it.
    Path file = root.resolve("uio-genirq");
    Files.write(file, count(9));
    try (UioInterruptSource irq = UioInterruptSource.open(file, UioIrqReenable.writeOne())) {
      irq.await(irq.arm(), LONG);
      assertThat(irq.lastCount()).isEqualTo(9);
    }
    byte[] all = Files.readAllBytes(file);
    assertThat(all).hasSize(8);
    assertThat(ByteBuffer.wrap(all, 4, 4).order(ByteOrder.nativeOrder()).getInt()).isEqualTo(1);
  }

  @Test
  void openFailureAndCloseAreClear() {
    assertThatThrownBy(() -> UioInterruptSource.open(root.resolve("uio9"), UioIrqReenable.none()))
        .isInstanceOf(LinuxDeviceException.class).hasMessageContaining("ENOENT");
    UioInterruptSource irq = UioInterruptSource.open(fifo, UioIrqReenable.none());
    irq.close();
    irq.close();
    irq.wakeLocal(); // no-op after close
    irq.await(irq.arm(), LONG); // returns at once when closed
  }
}
