package io.reactorvirtio.transport.epf.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One endpoint function in configfs, {@code pci_ep/functions/<driver>/<name>/}, created by {@link
 * PciEndpointConfigfs#createFunction}. Tear down in reverse: stop the controller, {@link #unbind()},
 * {@link #remove()}.
 */
public final class EndpointFunction {

  private final PciEndpointConfigfs configfs;
  private final String driver;
  private final String name;
  private final Path dir;
  private volatile Optional<String> boundTo = Optional.empty();

  EndpointFunction(PciEndpointConfigfs configfs, String driver, String name, Path dir) {
    this.configfs = configfs;
    this.driver = driver;
    this.name = name;
    this.dir = dir;
  }

  /** The EPF driver, e.g. {@code pci_epf_test}. */
  public String driver() {
    return driver;
  }

  /** The function's name. */
  public String name() {
    return name;
  }

  /** The function's configfs directory. */
  public Path directory() {
    return dir;
  }

  /**
   * Writes the header attributes in order: vendorid, deviceid, revid, baseclass_code,
   * subclass_code, interrupt_pin, then msi_interrupts and msix_interrupts when non-zero. Must
   * happen before {@link #bind}.
   *
   * @throws LinuxDeviceException naming the attribute if one is missing or the kernel rejects it
   */
  public void writeHeader(EpfHeader h) {
    writeAttribute("vendorid", hex(h.vendorId(), 4));
    writeAttribute("deviceid", hex(h.deviceId(), 4));
    writeAttribute("revid", hex(h.revisionId(), 2));
    writeAttribute("baseclass_code", hex(h.baseClass(), 2));
    writeAttribute("subclass_code", hex(h.subClass(), 2));
    writeAttribute("interrupt_pin", h.interruptPin() + "\n");
    if (h.msiInterrupts() != 0) {
      writeAttribute("msi_interrupts", h.msiInterrupts() + "\n");
    }
    if (h.msixInterrupts() != 0) {
      writeAttribute("msix_interrupts", h.msixInterrupts() + "\n");
    }
  }

  /**
   * Writes one attribute file of this function ({@code echo value > attribute}); also for
   * driver-specific attributes in subdirectories ({@code "pci_epf_vntb.0/db_count"}).
   *
   * @param value the exact text, normally ending in a newline
   */
  public void writeAttribute(String attribute, String value) {
    Path file = dir.resolve(attribute).normalize();
    if (!file.startsWith(dir) || file.equals(dir)) {
      throw new IllegalArgumentException("attribute must be inside " + dir + ": " + attribute);
    }
    if (!Files.exists(file)) {
      throw new LinuxDeviceException(file, "endpoint function " + driver + "/" + name
          + " has no attribute '" + attribute + "' (" + file + " does not exist)");
    }
    KernelFiles.write(file, value, "endpoint function " + driver + "/" + name + " attribute "
        + attribute);
  }

  /** Reads one attribute (first line, trimmed). */
  public String readAttribute(String attribute) {
    return KernelFiles.readLine(dir.resolve(attribute),
        "endpoint function " + driver + "/" + name + " attribute " + attribute);
  }

  /**
   * {@code ln -s <function dir> pci_ep/controllers/<epc>/<name>}: binds the function to the
   * controller. The target is absolute (configfs resolves it like a path lookup).
   *
   * @throws LinuxDeviceException if the controller does not exist (the message lists those that
   *     do) or the link cannot be made (the controller rejected the function)
   */
  public void bind(String epc) {
    Path link = configfs.controllerDir(epc).resolve(name);
    try {
      Files.createSymbolicLink(link, dir.toAbsolutePath());
    } catch (IOException e) {
      throw new LinuxDeviceException(link, "cannot bind endpoint function " + driver + "/" + name
          + " to controller " + epc + " (ln -s " + dir.toAbsolutePath() + " " + link + "): " + e, e);
    }
    boundTo = Optional.of(epc);
  }

  /** The controller this handle bound the function to, if any. */
  public Optional<String> boundController() {
    return boundTo;
  }

  /** Removes the controller's link to this function, if this handle made one; idempotent. */
  public void unbind() {
    Optional<String> epc = boundTo;
    if (epc.isEmpty()) {
      return;
    }
    Path link = configfs.controllerDir(epc.get()).resolve(name);
    try {
      Files.deleteIfExists(link);
    } catch (IOException e) {
      throw new LinuxDeviceException(link, "cannot unbind endpoint function " + name + " from "
          + epc.get() + " (rm " + link + "): " + e, e);
    }
    boundTo = Optional.empty();
  }

  /** {@code rmdir} of the function directory (configfs removes its attributes with it). */
  public void remove() {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      throw new LinuxDeviceException(dir, "cannot remove endpoint function " + dir
          + " (still bound to a controller?): " + e, e);
    }
  }

  private static String hex(int value, int digits) {
    return String.format("0x%0" + digits + "x\n", value);
  }

  @Override
  public String toString() {
    return "EndpointFunction[" + dir + boundTo.map(e -> " -> " + e).orElse("") + "]";
  }
}
