package io.reactorvirtio.transport.epf.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PciEndpointConfigfs} against a fake configfs. Real configfs creates a function's
 * attribute files on mkdir and drops them on rmdir; the fake "kernel" here does that by hand
 * ({@link #kernelPopulates}, {@link #kernelDepopulates}).
 */
class PciEndpointConfigfsTest {

  static final String EPC = "4c000000.pcie-ep";
  static final List<String> ATTRIBUTES = List.of("vendorid", "deviceid", "revid", "progif_code",
      "subclass_code", "baseclass_code", "cache_line_size", "subsys_vendor_id", "subsys_id",
      "interrupt_pin", "msi_interrupts", "msix_interrupts");

  @TempDir Path root;
  Path configfs;
  Path sysfs;

  @BeforeEach
  void fakeTrees() throws IOException {
    configfs = root.resolve("config");
    sysfs = root.resolve("sys");
    Files.createDirectories(configfs.resolve("pci_ep/functions/pci_epf_test"));
    Path ctrl = Files.createDirectories(configfs.resolve("pci_ep/controllers").resolve(EPC));
    Files.writeString(ctrl.resolve("start"), "0\n");
    Files.createDirectories(sysfs.resolve("class/pci_epc").resolve(EPC));
    Files.createDirectories(sysfs.resolve("bus/pci-epf/drivers/pci_epf_test"));
    Files.createDirectories(sysfs.resolve("bus/pci-epf/drivers/pci_epf_vntb"));
  }

  static void kernelPopulates(Path function) throws IOException {
    for (String a : ATTRIBUTES) {
      Files.writeString(function.resolve(a), a.equals("vendorid") ? "0xffff\n" : "0x0\n");
    }
  }

  static void kernelDepopulates(Path function) throws IOException {
    for (String a : ATTRIBUTES) {
      Files.deleteIfExists(function.resolve(a));
    }
  }

  @Test
  void listsControllersAndDrivers() {
    PciEndpointConfigfs cfs = new PciEndpointConfigfs(configfs, sysfs);
    assertThat(cfs.controllers()).containsExactly(EPC);
    assertThat(cfs.functionDrivers()).containsExactly("pci_epf_test", "pci_epf_vntb");
  }

  @Test
  void setUpBindStartAndTearDownInReverse() throws IOException {
    PciEndpointConfigfs cfs = new PciEndpointConfigfs(configfs, sysfs);
    EndpointFunction f = cfs.createFunction("pci_epf_test", "func1");
    Path dir = configfs.resolve("pci_ep/functions/pci_epf_test/func1");
    assertThat(f.directory()).isEqualTo(dir);
    assertThat(dir).isDirectory();
    kernelPopulates(dir);

    f.writeHeader(new EpfHeader(0x1af4, 0x1053, 1, 0xff, 0x00, 1, 4, 16));
    assertThat(dir.resolve("vendorid")).hasContent("0x1af4\n");
    assertThat(Files.readString(dir.resolve("vendorid"))).isEqualTo("0x1af4\n");
    assertThat(Files.readString(dir.resolve("deviceid"))).isEqualTo("0x1053\n");
    assertThat(Files.readString(dir.resolve("revid"))).isEqualTo("0x01\n");
    assertThat(Files.readString(dir.resolve("baseclass_code"))).isEqualTo("0xff\n");
    assertThat(Files.readString(dir.resolve("subclass_code"))).isEqualTo("0x00\n");
    assertThat(Files.readString(dir.resolve("interrupt_pin"))).isEqualTo("1\n");
    assertThat(Files.readString(dir.resolve("msi_interrupts"))).isEqualTo("4\n");
    assertThat(Files.readString(dir.resolve("msix_interrupts"))).isEqualTo("16\n");
    assertThat(f.readAttribute("vendorid")).isEqualTo("0x1af4");

    f.bind(EPC);
    Path link = configfs.resolve("pci_ep/controllers").resolve(EPC).resolve("func1");
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readSymbolicLink(link)).isEqualTo(dir.toAbsolutePath());
    assertThat(f.boundController()).contains(EPC);

    cfs.start(EPC);
    Path start = configfs.resolve("pci_ep/controllers").resolve(EPC).resolve("start");
    assertThat(Files.readString(start)).isEqualTo("1\n");

    cfs.stop(EPC);
    assertThat(Files.readString(start)).isEqualTo("0\n");
    f.unbind();
    assertThat(link).doesNotExist();
    f.unbind(); // idempotent
    kernelDepopulates(dir);
    f.remove();
    assertThat(dir).doesNotExist();
  }

  @Test
  void msiCountsOfZeroAreNotWritten() throws IOException {
    PciEndpointConfigfs cfs = new PciEndpointConfigfs(configfs, sysfs);
    EndpointFunction f = cfs.createFunction("pci_epf_test", "f2");
    kernelPopulates(f.directory());
    f.writeHeader(EpfHeader.of(0x104c, 0xb500));
    assertThat(Files.readString(f.directory().resolve("msi_interrupts"))).isEqualTo("0x0\n");
    assertThat(Files.readString(f.directory().resolve("vendorid"))).isEqualTo("0x104c\n");
  }

  @Test
  void clearErrors() throws IOException {
    PciEndpointConfigfs cfs = new PciEndpointConfigfs(configfs, sysfs);
    assertThatThrownBy(() -> cfs.createFunction("pci_epf_vhost", "f"))
        .isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("no endpoint function driver 'pci_epf_vhost'")
        .hasMessageContaining("pci_epf_test");
    EndpointFunction f = cfs.createFunction("pci_epf_test", "func1");
    assertThatThrownBy(() -> cfs.createFunction("pci_epf_test", "func1"))
        .isInstanceOf(LinuxDeviceException.class).hasMessageContaining("already exists");
    // configfs did not create the attribute (e.g. wrong driver): named in the error
    assertThatThrownBy(() -> f.writeHeader(EpfHeader.of(1, 2)))
        .isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("has no attribute 'vendorid'");
    kernelPopulates(f.directory());
    // the kernel rejects a write (a directory stands in for a failing attribute; tests run as root)
    Files.delete(f.directory().resolve("deviceid"));
    Files.createDirectory(f.directory().resolve("deviceid"));
    assertThatThrownBy(() -> f.writeHeader(EpfHeader.of(1, 2)))
        .isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("attribute deviceid")
        .hasMessageContaining("writing '0x0002'");
    assertThatThrownBy(() -> f.bind("missing-ep"))
        .isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("no endpoint controller 'missing-ep'")
        .hasMessageContaining(EPC);
    assertThatThrownBy(() -> cfs.start("nope")).isInstanceOf(LinuxDeviceException.class);
    assertThatThrownBy(() -> cfs.createFunction("pci_epf_test", "../x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EpfHeader(0x10000, 0, 0, 0, 0, 1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vendorid");
    assertThatThrownBy(() -> EpfHeader.of(1, 2).withInterrupts(33, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("msi_interrupts");
    PciEndpointConfigfs unmounted = new PciEndpointConfigfs(root.resolve("nothing"), sysfs);
    assertThatThrownBy(() -> unmounted.createFunction("pci_epf_test", "f"))
        .isInstanceOf(LinuxDeviceException.class)
        .hasMessageContaining("mount configfs");
  }
}
