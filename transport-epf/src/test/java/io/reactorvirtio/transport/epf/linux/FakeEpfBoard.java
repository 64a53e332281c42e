package io.reactorvirtio.transport.epf.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Two fake machines sharing memory through plain files, standing in for one PCIe link:
 *
 * <ul>
 *   <li>{@code bar0} (4 KiB): the endpoint's register BAR. The root complex sees it as sysfs
 *       {@code resource0}; the endpoint sees the same bytes as UIO {@code uio0} map 0 (the
 *       reserved-memory carve-out behind the BAR).
 *   <li>{@code bar2} (4 KiB): the doorbell BAR, {@code resource2} on the root complex.
 *   <li>{@code dram} (64 KiB): root-complex memory the endpoint reaches. The root complex maps it
 *       as {@link ReservedMemory} at bus {@link #BUS}; the endpoint sees it as UIO {@code uio1}
 *       map 0 (its outbound window).
 *   <li>FIFOs for interrupts: RC {@code /dev/uio0} (INTx through {@code uio_pci_generic}), EP
 *       {@code /dev/uio2} (the EP doorbell interrupt).
 * </ul>
 */
final class FakeEpfBoard {

  static final String ADDR = "0000:01:00.0";
  static final long BUS = 0x8000_0000L;
  static final int DRAM = 0x40000;

  final Path root;
  final Path bar0;
  final Path bar2;
  final Path dram;
  final Path rcSys;
  final Path rcDev;
  final Path rcPciDir;
  final Path rcConfig;
  final Path epSys;
  final Path epDev;

  FakeEpfBoard(Path root) throws Exception {
    this.root = root;
    bar0 = Files.write(root.resolve("bar0"), new byte[4096]);
    bar2 = Files.write(root.resolve("bar2"), new byte[4096]);
    dram = Files.write(root.resolve("dram"), new byte[DRAM]);

    rcSys = root.resolve("rc/sys");
    rcDev = Files.createDirectories(root.resolve("rc/dev"));
    rcPciDir = Files.createDirectories(rcSys.resolve("bus/pci/devices").resolve(ADDR));
    Files.writeString(rcPciDir.resolve("vendor"), "0x1af4\n");
    Files.writeString(rcPciDir.resolve("device"), "0x1047\n");
    Files.writeString(rcPciDir.resolve("resource"),
        "0x00000000fe000000 0x00000000fe000fff 0x0000000000040200\n"
            + "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
            + "0x00000000fe100000 0x00000000fe100fff 0x0000000000040200\n"
            + "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
            + "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
            + "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
            + "0x0000000000000000 0x0000000000000000 0x0000000000000000\n");
    Files.createSymbolicLink(rcPciDir.resolve("resource0"), bar0);
    Files.createSymbolicLink(rcPciDir.resolve("resource2"), bar2);
    Path rcUio = Files.createDirectories(rcSys.resolve("class/uio/uio0"));
    Files.writeString(rcUio.resolve("name"), "uio_pci_generic\n");
    Files.createDirectories(rcUio.resolve("device"));
    rcConfig = rcUio.resolve("device/config");
    byte[] cfg = new byte[64];
    cfg[4] = 0x06;
    cfg[5] = 0x04; // INTx-disable set, as the kernel leaves it after an interrupt
    Files.write(rcConfig, cfg);
    mkfifo(rcDev.resolve("uio0"));

    epSys = root.resolve("ep/sys");
    epDev = Files.createDirectories(root.resolve("ep/dev"));
    Path regs = Files.createDirectories(epSys.resolve("class/uio/uio0"));
    Files.writeString(regs.resolve("name"), "epf-regs\n");
    UioDeviceTest.fakeMap(regs, 0, "bar0", 0x9000_0000L, 4096, 0);
    Files.createSymbolicLink(epDev.resolve("uio0"), bar0);
    Path win = Files.createDirectories(epSys.resolve("class/uio/uio1"));
    Files.writeString(win.resolve("name"), "epf-window\n");
    UioDeviceTest.fakeMap(win, 0, "outbound", 0x6000_0000L, DRAM, 0);
    Files.createSymbolicLink(epDev.resolve("uio1"), dram);
    Path db = Files.createDirectories(epSys.resolve("class/uio/uio2"));
    Files.writeString(db.resolve("name"), "epf-doorbell\n");
    mkfifo(epDev.resolve("uio2"));
  }

  static void mkfifo(Path p) throws Exception {
    Process proc = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
    assertThat(proc.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(proc.exitValue()).isZero();
  }

  UioDevice rcUio() {
    return UioDevice.open(rcSys, rcDev, "uio0");
  }

  UioDevice epUio(int n) {
    return UioDevice.open(epSys, epDev, "uio" + n);
  }

  ReservedMemory reservedDram() {
    return new ReservedMemory(dram, 0, DRAM, BUS);
  }

  /** The little-endian 32-bit word at {@code offset} of {@code file}, read with plain file I/O. */
  static int fileWord(Path file, int offset) throws IOException {
    return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).getInt(offset);
  }

  /** A UIO interrupt count as the kernel's read() returns it (native order). */
  static byte[] count(int n) {
    return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(n).array();
  }
}
