package io.reactorvirtio.transport.epf.linux;

import io.reactorvirtio.virtio.transport.MemoryRegisterFile;
import io.reactorvirtio.virtio.memory.Window;
import io.reactorvirtio.virtio.notify.PollingInterruptSource;
import io.reactorvirtio.virtio.spi.DeviceTransport;
import io.reactorvirtio.virtio.spi.Doorbell;
import io.reactorvirtio.virtio.spi.InterruptSource;
import io.reactorvirtio.virtio.spi.RegisterFile;
import io.reactorvirtio.virtio.transport.VirtioRegisters;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The endpoint-function (virtio device, vhost) side of the PCIe endpoint transport on Linux, for an
 * endpoint controller running Linux with the PCI endpoint framework.
 *
 * <p><b>It needs an endpoint function driver that mainline Linux does not have</b> (FACTS §5.7):
 * mainline EPF drivers keep BAR backing memory and outbound ATU windows inside the kernel. This
 * class assumes an EPF that (a) backs its register BAR with a reserved-memory carve-out that is
 * also exposed to user space as a UIO map, (b) maps an outbound window onto the root complex's
 * memory and exposes it as a UIO map, (c) turns a write to an "MSI request" register into an MSI
 * to the root complex, and optionally (d) has an EP doorbell interrupt exposed as a UIO device.
 * No such driver exists in this project either.
 *
 * <table>
 *   <caption>What each part is</caption>
 *   <tr><th>part</th><th>file / call</th></tr>
 *   <tr><td>{@link #registers()}</td><td>{@code mmap} of {@code /dev/uioX} map N (the memory behind
 *       the register BAR), register 0 at {@link Config#registerOffset()}</td></tr>
 *   <tr><td>{@link #window()}</td><td>{@code mmap} of a UIO map of the outbound window, seen at
 *       {@link Config#windowBusAddress()} ({@link Window#of})</td></tr>
 *   <tr><td>{@link #driverDoorbell(int)}</td><td>32-bit write of the queue index to the MSI
 *       request register in the register map (the EPF raises MSI vector queue + 1)</td></tr>
 *   <tr><td>{@link #interrupts()}</td><td>the EP doorbell interrupt through {@code /dev/uioY}
 *       ({@link UioInterruptSource}) when configured, else {@link PollingInterruptSource} (the RFC
 *       polled every 1 ms)</td></tr>
 *   <tr><td>{@link #setUp setUp}</td><td>configfs: {@code mkdir functions/<driver>/<name>}, ids
 *       0x1AF4 / 0x1040 + virtio id, {@code ln -s} to the controller, {@code echo 1 > start};
 *       reversed on close</td></tr>
 * </table>
 *
 * <p><b>Nothing here has run on hardware</b>; tested against fake configfs/sysfs trees, plain
 * files as UIO device files, and FIFOs as UIO interrupts.
 */
public final class LinuxEpfEp implements DeviceTransport {

  private static final VarHandle U32 =
      ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

  /** Virtio vendor id (PCI). */
  public static final int VIRTIO_VENDOR_ID = 0x1AF4;

  /** Modern virtio PCI device ids are this plus the virtio device id. */
  public static final int VIRTIO_MODERN_DEVICE_ID_BASE = 0x1040;

  /**
   * Where the endpoint's memory and interrupts are.
   *
   * @param registers the UIO device exposing the register BAR's backing memory
   * @param registerMap its map index
   * @param registerOffset byte offset of register 0 inside that map (4-byte aligned)
   * @param queues number of virtqueues (1–{@link VirtioRegisters#MAX_QUEUES})
   * @param msiRequestOffset byte offset, inside the register map, of the register the EPF turns
   *     into an MSI; must lie outside the register block
   * @param window the UIO device exposing the outbound window
   * @param windowMap its map index
   * @param windowBusAddress the root-complex bus address of the window's first byte
   * @param doorbellInterrupt the UIO device of the EP doorbell interrupt, if the EPF has one
   * @param doorbellReenable how that interrupt is re-enabled ({@link UioIrqReenable#writeOne()}
   *     for {@code uio_pdrv_genirq})
   * @param pollInterval the polling interval when there is no doorbell interrupt
   */
  public record Config(UioDevice registers, int registerMap, long registerOffset, int queues,
      long msiRequestOffset, UioDevice window, int windowMap, long windowBusAddress,
      Optional<UioDevice> doorbellInterrupt, UioIrqReenable doorbellReenable,
      Duration pollInterval) {

    /** Checks ranges and that the MSI request register is outside the register block. */
    public Config {
      Objects.requireNonNull(registers, "registers");
      Objects.requireNonNull(window, "window");
      if (queues < 1 || queues > VirtioRegisters.MAX_QUEUES) {
        throw new IllegalArgumentException("queues must be 1-" + VirtioRegisters.MAX_QUEUES + ": " + queues);
      }
      if (registerOffset < 0 || registerOffset % 4 != 0 || msiRequestOffset < 0 || msiRequestOffset % 4 != 0) {
        throw new IllegalArgumentException("registerOffset and msiRequestOffset must be >= 0 and"
            + " 4-byte aligned: " + registerOffset + ", " + msiRequestOffset);
      }
      long end = registerOffset + EpfBarMap.registerBlockBytes(queues);
      if (msiRequestOffset + 4 > registerOffset && msiRequestOffset < end) {
        throw new IllegalArgumentException("MSI request register at 0x"
            + Long.toHexString(msiRequestOffset) + " overlaps the register block [0x"
            + Long.toHexString(registerOffset) + ", 0x" + Long.toHexString(end) + ")");
      }
    }

    /**
     * A configuration without a doorbell interrupt: the device side polls every {@code
     * pollInterval} (the RFC used 1 ms).
     */
    public static Config polling(UioDevice registers, int registerMap, long registerOffset,
        int queues, long msiRequestOffset, UioDevice window, int windowMap, long windowBusAddress,
        Duration pollInterval) {
      return new Config(registers, registerMap, registerOffset, queues, msiRequestOffset, window,
          windowMap, windowBusAddress, Optional.empty(), UioIrqReenable.none(), pollInterval);
    }

    /** A copy that waits on the EP doorbell interrupt through {@code uio} instead of polling. */
    public Config withDoorbellInterrupt(UioDevice uio, UioIrqReenable reenable) {
      return new Config(registers, registerMap, registerOffset, queues, msiRequestOffset, window,
          windowMap, windowBusAddress, Optional.of(uio), reenable, pollInterval);
    }
  }

  /**
   * The configfs function to create for {@link #setUp}.
   *
   * @param driver the EPF driver's configfs directory name (an EPF that exposes memory, see the
   *     class comment)
   * @param name the function's name
   * @param controller the endpoint controller to bind to and start, e.g. {@code 4c000000.pcie-ep}
   * @param virtioDeviceId the virtio device id (7 = rpmsg); the PCI device id is 0x1040 + it
   */
  public record FunctionSetup(String driver, String name, String controller, int virtioDeviceId) {

    /** Checks the names and that 0x1040 + virtioDeviceId stays in the modern range (≤ 0x107F). */
    public FunctionSetup {
      PciEndpointConfigfs.checkName("EPF driver", driver);
      PciEndpointConfigfs.checkName("function name", name);
      PciEndpointConfigfs.checkName("endpoint controller", controller);
      if (virtioDeviceId < 1 || virtioDeviceId > 0x3F) {
        throw new IllegalArgumentException("virtio device id must be 1-63 (PCI device id 0x1041-"
            + "0x107f): " + virtioDeviceId);
      }
    }

    /** The PCI device id, 0x1040 + the virtio device id. */
    public int pciDeviceId() {
      return VIRTIO_MODERN_DEVICE_ID_BASE + virtioDeviceId;
    }
  }

  private final String name;
  private final RegisterFile registers;
  private final MemorySegment registerMap;
  private final long msiRequestOffset;
  private final int queues;
  private final Window window;
  private final InterruptSource interrupts;
  private final Path registersSysfs;
  private final Teardown teardown;
  private final AtomicBoolean closed = new AtomicBoolean();

  private LinuxEpfEp(String name, MemorySegment registerMap, Config c, Window window,
      InterruptSource interrupts, Teardown teardown) {
    this.name = name;
    this.registerMap = registerMap;
    this.registers = new MemoryRegisterFile(registerMap, c.registerOffset(), VirtioRegisters.count(c.queues()));
    if (c.msiRequestOffset() + 4 > registerMap.byteSize()) {
      throw new IllegalArgumentException("MSI request register at " + c.msiRequestOffset()
          + " does not fit the register map of " + registerMap.byteSize() + " bytes");
    }
    this.msiRequestOffset = c.msiRequestOffset();
    this.queues = c.queues();
    this.window = window;
    this.interrupts = interrupts;
    this.registersSysfs = c.registers().sysfsDirectory();
    this.teardown = teardown;
  }

  /**
   * Opens the transport on an endpoint function someone else set up: maps the register map and the
   * window map, opens the doorbell interrupt or starts polling.
   *
   * @throws LinuxDeviceException if a map or the interrupt device cannot be opened
   * @throws IllegalArgumentException if the register block or MSI request register does not fit
   *     the register map
   */
  public static LinuxEpfEp open(Config c) {
    return open(c, new Teardown(), "epf-ep:" + c.registers().uioName());
  }

  private static LinuxEpfEp open(Config c, Teardown t, String name) {
    try {
      UioMapping regs = c.registers().mapRegion(c.registerMap());
      t.add(regs::close);
      UioMapping win = c.window().mapRegion(c.windowMap());
      t.add(win::close);
      Window window = Window.of(win.segment(), c.windowBusAddress());
      InterruptSource irq;
      if (c.doorbellInterrupt().isPresent()) {
        irq = c.doorbellInterrupt().get().interruptSource(c.doorbellReenable());
      } else {
        irq = new PollingInterruptSource(c.pollInterval());
      }
      t.add(irq::close);
      return new LinuxEpfEp(name, regs.segment(), c, window, irq, t);
    } catch (RuntimeException e) {
      throw t.abort(e);
    }
  }

  /**
   * Sets up the endpoint function in configfs, then opens the transport ({@link #open}); {@link
   * #close()} tears the function down again. Steps: {@code mkdir functions/<driver>/<name>}; write
   * vendorid 0x1af4, deviceid 0x1040 + virtio id, class "other", INTA, msi_interrupts = queues + 1
   * (vector 0 for configuration changes, queue q on vector q + 1 as in the RFC); {@code ln -s} into
   * {@code controllers/<controller>/}; {@code echo 1 > start}. Teardown: close the maps, {@code echo
   * 0 > start}, remove the link, {@code rmdir}. If any step fails, the steps done are undone.
   *
   * @throws LinuxDeviceException naming the configfs step or map that failed
   */
  public static LinuxEpfEp setUp(PciEndpointConfigfs configfs, FunctionSetup f, Config c) {
    return setUp(configfs, f, c, dir -> {}, dir -> {});
  }

  /**
   * {@link #setUp(PciEndpointConfigfs, FunctionSetup, Config)} with hooks for a fake configfs: real
   * configfs creates the attribute files on mkdir and drops them on rmdir; a test does it here.
   */
  static LinuxEpfEp setUp(PciEndpointConfigfs configfs, FunctionSetup f, Config c,
      Consumer<Path> afterMkdir, Consumer<Path> beforeRmdir) {
    Teardown t = new Teardown();
    try {
      EndpointFunction ef = configfs.createFunction(f.driver(), f.name());
      t.add(() -> {
        beforeRmdir.accept(ef.directory());
        ef.remove();
      });
      afterMkdir.accept(ef.directory());
      ef.writeHeader(EpfHeader.of(VIRTIO_VENDOR_ID, f.pciDeviceId()).withInterrupts(c.queues() + 1, 0));
      ef.bind(f.controller());
      t.add(ef::unbind);
      configfs.start(f.controller());
      t.add(() -> configfs.stop(f.controller()));
    } catch (RuntimeException e) {
      throw t.abort(e);
    }
    return open(c, t, "epf-ep:" + f.driver() + "/" + f.name());
  }

  @Override
  public String name() {
    return name;
  }

  /** The virtio register block in the memory behind the register BAR. */
  @Override
  public RegisterFile registers() {
    return registers;
  }

  /** The outbound window onto the root complex's memory, at the configured bus address. */
  @Override
  public Window window() {
    return window;
  }

  /**
   * A doorbell that writes {@code queue} (little-endian 32-bit, release) to the MSI request
   * register. <b>Requires an EPF that watches that register and raises MSI vector queue + 1</b>
   * (the RFC's {@code pci-epf-vhost} raised vectors from kernel code; mainline has no such EPF). A
   * second ring before the EPF consumed the first overwrites it; the root complex's poller looks
   * at all queues on any vector, so nothing is lost but coalescing.
   *
   * @throws IllegalArgumentException if {@code queue} is not 0 to queues − 1
   */
  @Override
  public Doorbell driverDoorbell(int queue) {
    if (queue < 0 || queue >= queues) {
      throw new IllegalArgumentException("queue " + queue + " of " + queues);
    }
    MemorySegment seg = registerMap;
    long at = msiRequestOffset;
    return () -> U32.setRelease(seg, at, queue);
  }

  /** The EP doorbell interrupt (UIO), or polling. */
  @Override
  public InterruptSource interrupts() {
    return interrupts;
  }

  /**
   * False once closed or once the register UIO device's sysfs directory is gone. The PCIe link
   * state itself is not visible to user space through the building blocks.
   */
  @Override
  public boolean hardwareLinkUp() {
    return !closed.get() && Files.isDirectory(registersSysfs);
  }

  /** Closes the interrupt source and maps, then undoes the configfs setup if {@link #setUp} did it. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      teardown.run();
    }
  }

  @Override
  public String toString() {
    return "LinuxEpfEp[" + name + ", " + window + (closed.get() ? ", closed]" : "]");
  }

}
