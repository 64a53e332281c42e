package io.reactorvirtio.transport.epf.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What of {@link VfioDevice} can run without VFIO: the steps before the first ioctl fail with
 * clear errors on a fake tree, and the eventfd-backed {@link VfioInterruptSource} behaves as an
 * interrupt source. The ioctl sequence itself is untested (no VFIO device here).
 */
class VfioDeviceTest {

  @TempDir Path root;

  @Test
  void stepsBeforeTheFirstIoctlFailClearly() throws Exception {
    Path sys = root.resolve("sys");
    Path dev = Files.createDirectories(root.resolve("dev"));
    Path pci = Files.createDirectories(sys.resolve("bus/pci/devices/0000:01:00.0"));
    assertThatThrownBy(() -> VfioDevice.open(sys, dev, "0000:01:00.0"))
        .isInstanceOf(LinuxDeviceException.class).hasMessageContaining("has no IOMMU group");
    Files.createSymbolicLink(pci.resolve("iommu_group"),
        Files.createDirectories(sys.resolve("kernel/iommu_groups/7")));
    assertThatThrownBy(() -> VfioDevice.open(sys, dev, "0000:01:00.0"))
        .isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("the VFIO container").hasMessageContaining("ENOENT");
    assertThatThrownBy(() -> VfioDevice.open(sys, dev, "0000:02:00.0"))
        .isInstanceOf(LinuxDeviceException.class).hasMessageContaining("no PCI device");
  }

  @Test
  void eventFdInterruptSource() throws Exception {
    try (VfioInterruptSource irq = VfioInterruptSource.create(3)) {
      assertThat(irq.vector()).isEqualTo(3);
      long t0 = System.nanoTime();
      irq.await(irq.arm(), TimeUnit.MILLISECONDS.toNanos(30));
      assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(25));
      irq.signal(); // what VFIO's interrupt handler does
      irq.signal();
      t0 = System.nanoTime();
      irq.await(irq.arm(), TimeUnit.SECONDS.toNanos(20));
      assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
      CompletableFuture<Void> parked =
          CompletableFuture.runAsync(() -> irq.await(irq.arm(), -1)); // drained: parks
      Thread.sleep(50);
      assertThat(parked).isNotDone();
      irq.wakeLocal();
      parked.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void regionFlags() {
    assertThat(new VfioRegion(0, 7, 4096, 0).mappable()).isTrue();
    assertThat(new VfioRegion(7, 3, 256, 7L << 40).mappable()).isFalse();
  }
}
