package io.reactorvirtio.transport.epf.linux;

import io.reactorvirtio.virtio.internal.nativeio.Mmap;
import io.reactorvirtio.virtio.memory.SharedRegion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A UIO device: {@code <sysfs>/class/uio/uioX/} ({@code name}, {@code maps/mapN/{name,addr,size,
 * offset}}) and its character device {@code <dev>/uioX}.
 *
 * <pre>{@code
 * UioDevice uio = UioDevice.find(Path.of("/sys"), Path.of("/dev"), "uio_pci_generic").orElseThrow();
 * try (UioMapping bar = uio.mapRegion(0);
 *      UioInterruptSource irq = uio.interruptSource(UioIrqReenable.pciIntx(uio.pciConfigFile()))) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Maps are selected by mmap offset N × page size, and the region starts {@code offset} bytes
 * into the mapping. With {@code uio_pci_generic} map N is the N-th <em>exposed</em> BAR, not BAR N,
 * and 64-bit or prefetchable BARs are not exposed at all (FACTS §5.2). {@code FileChannel.map}
 * cannot map a character device, so this uses raw {@code mmap(2)} ({@link SharedRegion#openDevice}).
 * Not tried on real hardware here (only on fake trees and FIFOs).
 */
public final class UioDevice {

  /** The kernel's MAX_UIO_MAPS. */
  public static final int MAX_MAPS = 5;

  private static final Pattern UIO_NAME = Pattern.compile("uio[0-9]+");

  private final String name;
  private final Path sysDir;
  private final Path devFile;

  private UioDevice(String name, Path sysDir, Path devFile) {
    this.name = name;
    this.sysDir = sysDir;
    this.devFile = devFile;
  }

  /**
   * Opens {@code uioX} ({@code <sysfsRoot>/class/uio/uioX}, {@code <devRoot>/uioX}).
   *
   * @throws IllegalArgumentException if the name is not {@code uio<number>}
   * @throws LinuxDeviceException if the sysfs directory or the device file is missing
   */
  public static UioDevice open(Path sysfsRoot, Path devRoot, String uioName) {
    if (!UIO_NAME.matcher(uioName).matches()) {
      throw new IllegalArgumentException("UIO device name must look like uio0: '" + uioName + "'");
    }
    Path sys = sysfsRoot.resolve("class/uio").resolve(uioName);
    if (!Files.isDirectory(sys)) {
      throw new LinuxDeviceException(sys, "no UIO device " + uioName + ": " + sys
          + " does not exist (bind a UIO driver, e.g. echo \"VVVV DDDD\" >"
          + " /sys/bus/pci/drivers/uio_pci_generic/new_id; devices: " + list(sysfsRoot) + ")");
    }
    Path dev = devRoot.resolve(uioName);
    if (!Files.exists(dev)) {
      throw new LinuxDeviceException(dev, "UIO device " + uioName + " has no device file " + dev
          + " (is devtmpfs mounted on " + devRoot + "?)");
    }
    return new UioDevice(uioName, sys, dev);
  }

  /** The UIO devices in sysfs ({@code uio0}, {@code uio1}, ...), in numeric order. */
  public static List<String> list(Path sysfsRoot) {
    List<String> names = new ArrayList<>(KernelFiles.list(sysfsRoot.resolve("class/uio")));
    names.removeIf(n -> !UIO_NAME.matcher(n).matches());
    names.sort((a, b) -> Integer.compare(Integer.parseInt(a.substring(3)), Integer.parseInt(b.substring(3))));
    return List.copyOf(names);
  }

  /** The first UIO device whose {@code name} file equals {@code driverName}. */
  public static Optional<UioDevice> find(Path sysfsRoot, Path devRoot, String driverName) {
    for (String n : list(sysfsRoot)) {
      Path nameFile = sysfsRoot.resolve("class/uio").resolve(n).resolve("name");
      if (Files.exists(nameFile) && KernelFiles.readLine(nameFile, "UIO name").equals(driverName)) {
        return Optional.of(open(sysfsRoot, devRoot, n));
      }
    }
    return Optional.empty();
  }

  /** {@code uioX}. */
  public String uioName() {
    return name;
  }

  /** The driver-given name (the {@code name} file), e.g. {@code uio_pci_generic}. */
  public String driverName() {
    return KernelFiles.readLine(sysDir.resolve("name"), "UIO device " + name + " name");
  }

  /** The character device, {@code <dev>/uioX}. */
  public Path deviceFile() {
    return devFile;
  }

  /** The sysfs directory. */
  public Path sysfsDirectory() {
    return sysDir;
  }

  /** For PCI UIO devices: {@code <sysfs>/class/uio/uioX/device/config}. */
  public Path pciConfigFile() {
    return sysDir.resolve("device/config");
  }

  /**
   * The maps under {@code maps/}, in index order.
   *
   * @throws LinuxDeviceException if a map's {@code addr}, {@code size} or {@code offset} is
   *     missing or not a hex number
   */
  public List<UioMap> maps() {
    List<UioMap> out = new ArrayList<>();
    for (int i = 0; i < MAX_MAPS; i++) {
      Path m = sysDir.resolve("maps/map" + i);
      if (!Files.isDirectory(m)) {
        break;
      }
      out.add(readMap(i, m));
    }
    return List.copyOf(out);
  }

  /**
   * Map {@code n}'s description.
   *
   * @throws LinuxDeviceException if there is no such map
   */
  public UioMap map(int n) {
    if (n < 0 || n >= MAX_MAPS) {
      throw new IllegalArgumentException("UIO map index must be 0-" + (MAX_MAPS - 1) + ": " + n);
    }
    Path m = sysDir.resolve("maps/map" + n);
    if (!Files.isDirectory(m)) {
      throw new LinuxDeviceException(m, "UIO device " + name + " has no map" + n + " (" + m
          + " does not exist; it has " + maps().size() + " maps. uio_pci_generic exposes only"
          + " 32-bit non-prefetchable memory BARs, and map N is the N-th exposed BAR, not BAR N)");
    }
    return readMap(n, m);
  }

  /**
   * Maps region {@code n}: raw {@code mmap} of {@code /dev/uioX} at offset n × page size for
   * {@link UioMap#mappingLength} bytes, read-write, shared; the returned segment starts at the
   * map's {@code offset}.
   *
   * @throws LinuxDeviceException if there is no such map or open/mmap fails (e.g. not root)
   */
  public UioMapping mapRegion(int n) {
    UioMap map = map(n);
    long page = Mmap.pageSize();
    if (map.size() <= 0) {
      throw new LinuxDeviceException(sysDir.resolve("maps/map" + n), "UIO " + name + " map" + n
          + " has size 0 (a uio_dmem_genirq region that is not allocated until the device is open?)");
    }
    try {
      SharedRegion region = SharedRegion.openDevice(devFile, n * page, map.mappingLength(page));
      return new UioMapping(map, region);
    } catch (RuntimeException e) {
      throw new LinuxDeviceException(devFile, "cannot mmap UIO " + name + " map" + n + " ("
          + devFile + " offset " + n * page + ", " + map.mappingLength(page) + " bytes): "
          + e.getMessage(), e);
    }
  }

  /**
   * Opens {@code /dev/uioX} for interrupts.
   *
   * @param reenable how to re-enable the interrupt after each one (depends on the UIO driver)
   */
  public UioInterruptSource interruptSource(UioIrqReenable reenable) {
    return UioInterruptSource.open(devFile, reenable);
  }

  private UioMap readMap(int i, Path m) {
    String what = "UIO " + name + " map" + i;
    Path nameFile = m.resolve("name");
    Optional<String> mapName = Files.exists(nameFile)
        ? Optional.of(KernelFiles.readLine(nameFile, what + " name"))
        : Optional.empty();
    long addr = KernelFiles.readHex(m.resolve("addr"), what + " addr");
    long size = KernelFiles.readHex(m.resolve("size"), what + " size");
    long offset = KernelFiles.readHex(m.resolve("offset"), what + " offset");
    return new UioMap(i, mapName, addr, size, offset);
  }

  @Override
  public String toString() {
    return "UioDevice[" + name + ", " + devFile + "]";
  }
}
