package io.reactorvirtio.transport.epf.linux;

import io.reactorvirtio.virtio.memory.SharedRegion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A PCI function seen through sysfs, {@code <sysfs>/bus/pci/devices/<DDDD:BB:DD.F>/}: its ids, its
 * BARs (the {@code resource} file), BAR mappings through {@code resourceN} and the Command register
 * in {@code config}.
 *
 * <pre>{@code
 * PciSysfsDevice dev = PciSysfsDevice.open(Path.of("/sys"), "0000:01:00.0");
 * dev.enableMemoryAndBusMaster();
 * try (SharedRegion bar0 = dev.mapBar(0)) { ... }
 * }</pre>
 *
 * <p>{@code resourceN} files are mode 0600 (root) and mapped uncached; mapping fails under kernel
 * lockdown or when a driver has claimed the region with strict devmem checks — bind no driver, or
 * one that does not request regions. Not tried on real hardware here (only on fake trees).
 */
public final class PciSysfsDevice {

  /** Config-space offset of the 16-bit Command register. */
  public static final int COMMAND_OFFSET = 4;

  /** Command bit 1: memory space enable. */
  public static final int COMMAND_MEMORY = 1 << 1;

  /** Command bit 2: bus master enable. */
  public static final int COMMAND_BUS_MASTER = 1 << 2;

  /** Command bit 10: INTx disable. */
  public static final int COMMAND_INTX_DISABLE = 1 << 10;

  /** Number of BAR slots (type 0 header). */
  public static final int BAR_COUNT = 6;

  private static final Pattern ADDRESS =
      Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");

  private final String address;
  private final Path dir;

  private PciSysfsDevice(String address, Path dir) {
    this.address = address;
    this.dir = dir;
  }

  /**
   * Opens {@code <sysfsRoot>/bus/pci/devices/<address>}.
   *
   * @param sysfsRoot normally {@code /sys}
   * @param address {@code DDDD:BB:DD.F} in lower-case hex, e.g. {@code 0000:01:00.0}
   * @throws IllegalArgumentException if the address is malformed
   * @throws LinuxDeviceException if no such device directory exists
   */
  public static PciSysfsDevice open(Path sysfsRoot, String address) {
    if (!ADDRESS.matcher(address).matches()) {
      throw new IllegalArgumentException(
          "PCI address must look like 0000:01:00.0 (domain:bus:device.function, lower-case hex): '"
              + address + "'");
    }
    Path dir = sysfsRoot.resolve("bus/pci/devices").resolve(address);
    if (!Files.isDirectory(dir)) {
      throw new LinuxDeviceException(dir, "no PCI device " + address + ": " + dir
          + " does not exist (is the device enumerated? see lspci; after hot-plug: echo 1 >"
          + " /sys/bus/pci/rescan)");
    }
    return new PciSysfsDevice(address, dir);
  }

  /** The {@code DDDD:BB:DD.F} address. */
  public String address() {
    return address;
  }

  /** The device's sysfs directory. */
  public Path directory() {
    return dir;
  }

  /** The 16-bit vendor id from {@code vendor}. */
  public int vendorId() {
    return (int) KernelFiles.readHex(dir.resolve("vendor"), "PCI vendor id of " + address);
  }

  /** The 16-bit device id from {@code device}. */
  public int deviceId() {
    return (int) KernelFiles.readHex(dir.resolve("device"), "PCI device id of " + address);
  }

  /** The bound driver's name (the {@code driver} symlink's target name), if any. */
  public Optional<String> driver() {
    Path link = dir.resolve("driver");
    if (!Files.isSymbolicLink(link)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readSymbolicLink(link).getFileName().toString());
    } catch (IOException e) {
      throw new LinuxDeviceException(link, "cannot read driver link " + link + ": " + e, e);
    }
  }

  /** The IOMMU group number (the {@code iommu_group} symlink), for VFIO; empty without an IOMMU. */
  public Optional<Integer> iommuGroup() {
    Path link = dir.resolve("iommu_group");
    if (!Files.isSymbolicLink(link)) {
      return Optional.empty();
    }
    try {
      String name = Files.readSymbolicLink(link).getFileName().toString();
      return Optional.of(Integer.parseInt(name));
    } catch (IOException | NumberFormatException e) {
      throw new LinuxDeviceException(link, "cannot read IOMMU group link " + link + ": " + e, e);
    }
  }

  /**
   * All lines of the {@code resource} file (BARs 0–5, ROM, and bridge windows where present).
   *
   * @throws LinuxDeviceException if the file is missing or a line is not three hex numbers
   */
  public List<PciResource> resources() {
    Path file = dir.resolve("resource");
    String text = KernelFiles.read(file, "PCI resources of " + address);
    List<PciResource> out = new ArrayList<>();
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\\s+");
      if (f.length != 3) {
        throw new LinuxDeviceException(file, "PCI resources of " + address + ": line " + (i + 1)
            + " of " + file + " should be '0x<start> 0x<end> 0x<flags>', found '" + line + "'");
      }
      String what = "PCI resources of " + address + " (line " + (i + 1) + ")";
      out.add(new PciResource(out.size(), KernelFiles.parseHex(f[0], file, what),
          KernelFiles.parseHex(f[1], file, what), KernelFiles.parseHex(f[2], file, what)));
    }
    return List.copyOf(out);
  }

  /**
   * BAR {@code n} from the {@code resource} file.
   *
   * @throws IllegalArgumentException if n is not 0–5
   * @throws LinuxDeviceException if the BAR is not implemented
   */
  public PciResource bar(int n) {
    checkBarIndex(n);
    List<PciResource> all = resources();
    if (n >= all.size() || !all.get(n).present()) {
      throw new LinuxDeviceException(dir.resolve("resource"), "PCI device " + address
          + " has no BAR" + n + " (unused in " + dir.resolve("resource") + ")");
    }
    return all.get(n);
  }

  /** Whether {@code resourceN} exists (the kernel creates it for every implemented BAR). */
  public boolean hasResourceFile(int n) {
    checkBarIndex(n);
    return Files.exists(dir.resolve("resource" + n));
  }

  /** Whether {@code resourceN_wc} exists (prefetchable BARs on architectures with write-combining). */
  public boolean hasWriteCombiningFile(int n) {
    checkBarIndex(n);
    return Files.exists(dir.resolve("resource" + n + "_wc"));
  }

  /** Maps memory BAR {@code n} uncached through {@code resourceN}. See {@link #mapBar(int, boolean)}. */
  public SharedRegion mapBar(int n) {
    return mapBar(n, false);
  }

  /**
   * Maps the whole of memory BAR {@code n} read-write with {@code MAP_SHARED} through {@code
   * resourceN} (or {@code resourceN_wc}). sysfs reports {@code st_size} = BAR length, so {@link
   * SharedRegion#open} maps exactly the BAR. Keep doorbells and registers in the uncached mapping:
   * write-combined stores are weakly ordered.
   *
   * @param writeCombining map {@code resourceN_wc} (prefetchable BARs only)
   * @throws IllegalArgumentException if n is not 0–5
   * @throws LinuxDeviceException if the BAR is unused, is an I/O-port BAR, has no {@code resourceN}
   *     file, has no {@code _wc} file when asked for one, or mapping fails (lockdown, a claimed
   *     region, not root)
   */
  public SharedRegion mapBar(int n, boolean writeCombining) {
    PciResource bar = bar(n);
    if (bar.isIo() || !bar.isMemory()) {
      throw new LinuxDeviceException(dir.resolve("resource"), "BAR" + n + " of " + address
          + " is " + (bar.isIo() ? "an I/O-port BAR" : "not a memory BAR") + " (flags 0x"
          + Long.toHexString(bar.flags()) + "): only memory BARs can be mapped");
    }
    Path file = dir.resolve("resource" + n + (writeCombining ? "_wc" : ""));
    if (!Files.exists(file)) {
      throw new LinuxDeviceException(file, "cannot map BAR" + n + " of " + address + ": " + file
          + " does not exist" + (writeCombining
              ? " (write-combining exists only for prefetchable BARs on some architectures)"
              : ""));
    }
    try {
      return SharedRegion.open(file);
    } catch (UncheckedIOException e) {
      throw new LinuxDeviceException(file, "cannot map BAR" + n + " of " + address + " from " + file
          + " (" + bar.length() + " bytes; needs root, no kernel lockdown, and no driver holding"
          + " the region): " + e.getMessage(), e);
    }
  }

  /** The 16-bit Command register (config offset 4), read with a positional read of {@code config}. */
  public int command() {
    Path file = dir.resolve("config");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return readCommand(ch, file);
    } catch (IOException e) {
      throw configFailure(file, "read", e);
    }
  }

  /**
   * Sets Command bits 1 (memory space) and 2 (bus master) with a read-modify-write of the 16-bit
   * register at config offset 4 (positional read and write of {@code config}; needs root).
   *
   * @return the Command value written
   */
  public int enableMemoryAndBusMaster() {
    return updateCommand(COMMAND_MEMORY | COMMAND_BUS_MASTER, 0);
  }

  /**
   * Read-modify-write of the Command register: sets {@code set}, then clears {@code clear}.
   *
   * @return the value written
   */
  public int updateCommand(int set, int clear) {
    Path file = dir.resolve("config");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      int value = ((readCommand(ch, file) | set) & ~clear) & 0xFFFF;
      ByteBuffer buf = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
      buf.putShort(0, (short) value);
      while (buf.hasRemaining()) {
        ch.write(buf, COMMAND_OFFSET + buf.position());
      }
      return value;
    } catch (IOException e) {
      throw configFailure(file, "write", e);
    }
  }

  private int readCommand(FileChannel ch, Path file) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
    while (buf.hasRemaining()) {
      if (ch.read(buf, COMMAND_OFFSET + buf.position()) < 0) {
        throw new LinuxDeviceException(file, "config space of " + address + " (" + file
            + ") ends before the Command register at offset 4");
      }
    }
    return buf.getShort(0) & 0xFFFF;
  }

  private LinuxDeviceException configFailure(Path file, String op, IOException e) {
    return new LinuxDeviceException(file, "cannot " + op + " the Command register of " + address
        + " in " + file + " (needs root): " + e, e);
  }

  private static void checkBarIndex(int n) {
    if (n < 0 || n >= BAR_COUNT) {
      throw new IllegalArgumentException("BAR index must be 0-5: " + n);
    }
  }

  @Override
  public String toString() {
    return "PciSysfsDevice[" + address + "]";
  }
}
