package io.reactorvirtio.transport.epf.linux;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The PCI endpoint framework's configfs ({@code <configfs>/pci_ep/}) and the sysfs lists next to
 * it: create an endpoint function, write its header, bind it to an endpoint controller and start
 * the controller — the steps of {@code Documentation/PCI/endpoint/pci-endpoint-cfs.rst}.
 *
 * <pre>{@code
 * PciEndpointConfigfs cfs = new PciEndpointConfigfs(Path.of("/sys/kernel/config"), Path.of("/sys"));
 * EndpointFunction f = cfs.createFunction("pci_epf_test", "func1");   // mkdir
 * f.writeHeader(EpfHeader.of(0x1af4, 0x1053).withInterrupts(1, 0));
 * f.bind("4c000000.pcie-ep");                                           // ln -s
 * cfs.start("4c000000.pcie-ep");                                        // echo 1 > start
 * ...
 * cfs.stop("4c000000.pcie-ep"); f.unbind(); f.remove();                 // reverse order
 * }</pre>
 *
 * <p>Needs root, {@code mount -t configfs none /sys/kernel/config}, {@code
 * CONFIG_PCI_ENDPOINT_CONFIGFS} and the EPF driver module loaded. Not tried on real hardware here.
 */
public final class PciEndpointConfigfs {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:+-]+");

  private final Path configfsRoot;
  private final Path sysfsRoot;

  /**
   * @param configfsRoot normally {@code /sys/kernel/config}
   * @param sysfsRoot normally {@code /sys} (for {@code class/pci_epc} and {@code bus/pci-epf})
   */
  public PciEndpointConfigfs(Path configfsRoot, Path sysfsRoot) {
    this.configfsRoot = configfsRoot;
    this.sysfsRoot = sysfsRoot;
  }

  /** {@code <configfs>/pci_ep}. */
  public Path root() {
    return configfsRoot.resolve("pci_ep");
  }

  /** Endpoint controllers the kernel knows ({@code <sysfs>/class/pci_epc/}), sorted. */
  public List<String> controllers() {
    return KernelFiles.list(sysfsRoot.resolve("class/pci_epc"));
  }

  /** Endpoint function drivers loaded ({@code <sysfs>/bus/pci-epf/drivers/}), sorted. */
  public List<String> functionDrivers() {
    return KernelFiles.list(sysfsRoot.resolve("bus/pci-epf/drivers"));
  }

  /**
   * {@code mkdir <configfs>/pci_ep/functions/<driver>/<name>}: configfs creates the function and
   * its attribute files.
   *
   * @throws LinuxDeviceException if configfs or {@code pci_ep} is missing, the driver has no
   *     directory (module not loaded), the function exists already, or mkdir fails
   */
  public EndpointFunction createFunction(String driver, String name) {
    checkName("EPF driver", driver);
    checkName("function name", name);
    Path pciEp = checkedRoot();
    Path driverDir = pciEp.resolve("functions").resolve(driver);
    if (!Files.isDirectory(driverDir)) {
      throw new LinuxDeviceException(driverDir, "no endpoint function driver '" + driver + "': "
          + driverDir + " does not exist (load its module, e.g. modprobe " + driver
          + "; loaded drivers: " + functionDrivers() + ")");
    }
    Path dir = driverDir.resolve(name);
    try {
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      throw new LinuxDeviceException(dir, "endpoint function " + dir + " already exists", e);
    } catch (IOException e) {
      throw new LinuxDeviceException(dir, "cannot create endpoint function " + dir + ": " + e, e);
    }
    return new EndpointFunction(this, driver, name, dir);
  }

  /**
   * An existing function directory (e.g. left by an earlier run), for teardown.
   *
   * @throws LinuxDeviceException if it does not exist
   */
  public EndpointFunction function(String driver, String name) {
    checkName("EPF driver", driver);
    checkName("function name", name);
    Path dir = checkedRoot().resolve("functions").resolve(driver).resolve(name);
    if (!Files.isDirectory(dir)) {
      throw new LinuxDeviceException(dir, "no endpoint function " + dir);
    }
    return new EndpointFunction(this, driver, name, dir);
  }

  /** {@code echo 1 > controllers/<epc>/start}: the controller starts link training. */
  public void start(String epc) {
    KernelFiles.write(controllerDir(epc).resolve("start"), "1\n", "starting endpoint controller " + epc);
  }

  /** {@code echo 0 > controllers/<epc>/start}: stops the controller (newer kernels). */
  public void stop(String epc) {
    KernelFiles.write(controllerDir(epc).resolve("start"), "0\n", "stopping endpoint controller " + epc);
  }

  /**
   * {@code <configfs>/pci_ep/controllers/<epc>}.
   *
   * @throws LinuxDeviceException if there is no such controller (the message lists those there are)
   */
  Path controllerDir(String epc) {
    checkName("endpoint controller", epc);
    Path dir = checkedRoot().resolve("controllers").resolve(epc);
    if (!Files.isDirectory(dir)) {
      throw new LinuxDeviceException(dir, "no endpoint controller '" + epc + "': " + dir
          + " does not exist (controllers in configfs: "
          + KernelFiles.list(checkedRoot().resolve("controllers")) + ", in "
          + sysfsRoot.resolve("class/pci_epc") + ": " + controllers() + ")");
    }
    return dir;
  }

  private Path checkedRoot() {
    Path pciEp = root();
    if (!Files.isDirectory(pciEp)) {
      throw new LinuxDeviceException(pciEp, pciEp + " does not exist: mount configfs (mount -t"
          + " configfs none " + configfsRoot + ") and use a kernel with"
          + " CONFIG_PCI_ENDPOINT_CONFIGFS");
    }
    return pciEp;
  }

  static void checkName(String what, String name) {
    if (!NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException(what + " must be a plain file name: '" + name + "'");
    }
  }

  @Override
  public String toString() {
    return "PciEndpointConfigfs[" + root() + "]";
  }
}
