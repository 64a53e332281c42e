package io.reactorvirtio.transport.epf.linux;

import io.reactorvirtio.virtio.internal.nativeio.Mmap;
import io.reactorvirtio.virtio.transport.MemoryRegisterFile;
import io.reactorvirtio.virtio.memory.SharedRegion;
import io.reactorvirtio.virtio.spi.Doorbell;
import io.reactorvirtio.virtio.spi.DriverTransport;
import io.reactorvirtio.virtio.spi.InterruptSource;
import io.reactorvirtio.virtio.spi.RegisterFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The root-complex (virtio driver) side of the PCIe endpoint transport on Linux: the endpoint
 * function is a PCI device of this host, reached through VFIO ({@link #openVfio}) or through sysfs
 * BAR files plus UIO for INTx ({@link #openSysfs}).
 *
 * <table>
 *   <caption>What each part is</caption>
 *   <tr><th>part</th><th>VFIO</th><th>sysfs / UIO</th></tr>
 *   <tr><td>{@link #registers()}</td><td>{@code mmap} of the device fd at the register BAR's
 *       region offset</td><td>{@code mmap} of {@code resourceN}</td></tr>
 *   <tr><td>{@link #memory()}</td><td>page-aligned native memory mapped for the device with
 *       {@code VFIO_IOMMU_MAP_DMA} at a chosen IOVA</td><td>refused, unless the caller supplies a
 *       {@link ReservedMemory} (FACTS §5.7)</td></tr>
 *   <tr><td>{@link #deviceDoorbell(int)}</td><td colspan="2">32-bit write of the queue index to
 *       the doorbell register ({@link EpfBarMap})</td></tr>
 *   <tr><td>{@link #interrupts()}</td><td>MSI-X vector 0 → eventfd
 *       ({@link VfioInterruptSource})</td><td>INTx through {@code /dev/uioX}
 *       ({@link UioInterruptSource}, {@code uio_pci_generic})</td></tr>
 *   <tr><td>{@link #hardwareLinkUp()}</td><td colspan="2">the device's sysfs directory still
 *       exists (it disappears on hot removal) and the transport is open</td></tr>
 * </table>
 *
 * <pre>{@code
 * EpfBarMap layout = new EpfBarMap(0, 0, 2, 0, 0x800);
 * try (LinuxEpfRc rc = LinuxEpfRc.openVfio(Path.of("/sys"), Path.of("/dev"), "0000:01:00.0",
 *     layout, 1 << 20, 0x1000_0000L)) {
 *   // VirtioTransportLink on rc ...
 * }
 * }</pre>
 *
 * <p><b>Nothing here has run on hardware.</b> The sysfs/UIO path was tested against fake sysfs
 * trees with plain files as BARs and FIFOs as {@code /dev/uioX}; the VFIO path is untested (no
 * VFIO device where it was written).
 */
public final class LinuxEpfRc implements DriverTransport {

  private static final VarHandle U32 =
      ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

  private final String name;
  private final RegisterFile registers;
  private final MemorySegment memory;
  private final long memoryBusAddress;
  private final MemorySegment doorbellBar;
  private final long doorbellOffset;
  private final int queues;
  private final InterruptSource interrupts;
  private final Path deviceDirectory;
  private final Teardown teardown;
  private final AtomicBoolean closed = new AtomicBoolean();

  private LinuxEpfRc(String name, RegisterFile registers, MemorySegment memory,
      long memoryBusAddress, MemorySegment doorbellBar, EpfBarMap layout,
      InterruptSource interrupts, Path deviceDirectory, Teardown teardown) {
    if (layout.doorbellOffset() + 4 > doorbellBar.byteSize()) {
      throw new IllegalArgumentException("doorbell at offset " + layout.doorbellOffset()
          + " does not fit BAR" + layout.doorbellBar() + " of " + doorbellBar.byteSize() + " bytes");
    }
    this.name = name;
    this.registers = registers;
    this.memory = memory;
    this.memoryBusAddress = memoryBusAddress;
    this.doorbellBar = doorbellBar;
    this.doorbellOffset = layout.doorbellOffset();
    this.queues = layout.queues();
    this.interrupts = interrupts;
    this.deviceDirectory = deviceDirectory;
    this.teardown = teardown;
  }

  /**
   * Opens the endpoint function at PCI {@code address} through VFIO: runs {@link VfioDevice#open},
   * maps the register and doorbell BARs, allocates {@code memorySize} bytes (rounded up to pages) of
   * page-aligned native memory, zeroed, maps it for the device at {@code iova}
   * ({@code VFIO_IOMMU_MAP_DMA}), and routes MSI-X vector 0 to an eventfd. Every queue's
   * used-buffer notification arrives on that one vector; the link's poller looks at all queues.
   *
   * @param iova the bus address the device sees the memory at (page-aligned); becomes {@link
   *     #memoryBusAddress()}
   * @throws IllegalArgumentException if {@code memorySize} is not positive or {@code iova} is not
   *     page-aligned
   * @throws LinuxDeviceException naming the failed step (see {@link VfioDevice#open})
   */
  public static LinuxEpfRc openVfio(Path sysfsRoot, Path devRoot, String address,
      EpfBarMap layout, long memorySize, long iova) {
    long page = Mmap.pageSize();
    if (memorySize <= 0) {
      throw new IllegalArgumentException("DMA memory size must be positive: " + memorySize);
    }
    if (iova % page != 0) {
      throw new IllegalArgumentException("IOVA 0x" + Long.toHexString(iova)
          + " must be page-aligned (" + page + ")");
    }
    long size = (memorySize + page - 1) / page * page;
    Teardown t = new Teardown();
    try {
      VfioDevice dev = VfioDevice.open(sysfsRoot, devRoot, address);
      t.add(dev::close);
      Arena bars = Arena.ofShared();
      t.add(bars::close);
      MemorySegment regBar = dev.mapRegion(layout.registerBar(), bars);
      MemorySegment dbBar = layout.doorbellBar() == layout.registerBar()
          ? regBar : dev.mapRegion(layout.doorbellBar(), bars);
      Arena dma = Arena.ofShared();
      t.add(dma::close);
      MemorySegment memory = dma.allocate(size, page);
      dev.mapDma(memory, iova);
      t.add(() -> dev.unmapDma(iova, size));
      List<VfioInterruptSource> irqs = dev.enableMsix(1);
      VfioInterruptSource irq = irqs.getFirst();
      t.add(irq::close); // runs after disableMsix: unassign the eventfd before closing it
      t.add(dev::disableMsix);
      RegisterFile regs = new MemoryRegisterFile(regBar, layout.registerOffset(), layout.registerCount());
      return new LinuxEpfRc("epf-rc:vfio:" + address, regs, memory, iova, dbBar, layout, irq,
          pciDirectory(sysfsRoot, address), t);
    } catch (RuntimeException e) {
      throw t.abort(e);
    }
  }

  /**
   * Opens the endpoint function through sysfs and UIO: the register and doorbell BARs are mapped
   * from {@code resourceN} ({@link PciSysfsDevice#mapBar}), interrupts are INTx through {@code
   * intx} (the function bound to {@code uio_pci_generic}; re-enabled by clearing INTx-disable in
   * its config space).
   *
   * <p><b>Memory:</b> without VFIO there is no safe way to give the endpoint DMA addresses of user
   * memory (FACTS §5.7): user pages are neither pinned nor is their physical address the bus
   * address an IOMMU presents. So with {@code memory} empty this refuses with a {@link
   * LinuxDeviceException} saying so, before mapping anything. With a {@link ReservedMemory}, that
   * caller-vouched region is used as is.
   *
   * @throws LinuxDeviceException if {@code memory} is empty (no DMA path), or a BAR, the reserved
   *     memory or the UIO device cannot be opened or mapped
   */
  public static LinuxEpfRc openSysfs(Path sysfsRoot, String address, EpfBarMap layout,
      UioDevice intx, Optional<ReservedMemory> memory) {
    PciSysfsDevice pci = PciSysfsDevice.open(sysfsRoot, address);
    ReservedMemory reserved = memory.orElseThrow(() -> new LinuxDeviceException(pci.directory(),
        "no DMA path to the endpoint function " + address + " on the sysfs/UIO path: without"
            + " VFIO there is no safe way to give the endpoint bus addresses of user memory (user"
            + " pages are not pinned, and their physical addresses are not the bus addresses an"
            + " IOMMU presents; FACTS §5.7). Use LinuxEpfRc.openVfio (vfio-pci and an IOMMU), or"
            + " pass a ReservedMemory: a carve-out whose bus address you know"));
    Teardown t = new Teardown();
    try {
      SharedRegion regBar = pci.mapBar(layout.registerBar());
      t.add(regBar::close);
      SharedRegion dbBar = regBar;
      if (layout.doorbellBar() != layout.registerBar()) {
        dbBar = pci.mapBar(layout.doorbellBar());
        t.add(dbBar::close);
      }
      SharedRegion mem;
      try {
        mem = SharedRegion.openDevice(reserved.device(), reserved.offset(), reserved.size());
      } catch (RuntimeException e) {
        throw new LinuxDeviceException(reserved.device(), "cannot map reserved memory " + reserved
            + ": " + e.getMessage(), e);
      }
      t.add(mem::close);
      UioInterruptSource irq = intx.interruptSource(UioIrqReenable.pciIntx(intx.pciConfigFile()));
      t.add(irq::close);
      RegisterFile regs = new MemoryRegisterFile(regBar.segment(), layout.registerOffset(),
          layout.registerCount());
      return new LinuxEpfRc("epf-rc:sysfs:" + address, regs, mem.segment(), reserved.busAddress(),
          dbBar.segment(), layout, irq, pci.directory(), t);
    } catch (RuntimeException e) {
      throw t.abort(e);
    }
  }

  private static Path pciDirectory(Path sysfsRoot, String address) {
    return sysfsRoot.resolve("bus/pci/devices").resolve(address);
  }

  @Override
  public String name() {
    return name;
  }

  /** The virtio register block in the endpoint's register BAR. */
  @Override
  public RegisterFile registers() {
    return registers;
  }

  /** The DMA-able memory: VFIO-mapped native memory, or the caller's reserved memory. */
  @Override
  public MemorySegment memory() {
    return memory;
  }

  /** The IOVA (VFIO) or the caller-supplied bus address ({@link ReservedMemory}). */
  @Override
  public long memoryBusAddress() {
    return memoryBusAddress;
  }

  /**
   * A doorbell that writes {@code queue} as a little-endian 32-bit value (release) to the doorbell
   * register ({@link EpfBarMap#doorbellOffset()} of {@link EpfBarMap#doorbellBar()}).
   *
   * <p>With the mainline EP doorbell (FACTS §5.4) an interrupt is raised only by writing the
   * published DB_DATA; writing a queue index instead assumes an EPF that either decodes the
   * written value or polls the register (as the RFC did, every 1 ms). That EPF is not in mainline.
   *
   * @throws IllegalArgumentException if {@code queue} is not 0 to queues − 1
   */
  @Override
  public Doorbell deviceDoorbell(int queue) {
    if (queue < 0 || queue >= queues) {
      throw new IllegalArgumentException("queue " + queue + " of " + queues);
    }
    MemorySegment bar = doorbellBar;
    long at = doorbellOffset;
    return () -> U32.setRelease(bar, at, queue);
  }

  /** MSI-X vector 0 (VFIO) or INTx (UIO). */
  @Override
  public InterruptSource interrupts() {
    return interrupts;
  }

  /** False once closed or once the device's sysfs directory is gone (hot removal, unplug). */
  @Override
  public boolean hardwareLinkUp() {
    return !closed.get() && Files.isDirectory(deviceDirectory);
  }

  /** Releases in reverse: interrupts, DMA map and memory, BAR mappings, the device; idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      teardown.run();
    }
  }

  @Override
  public String toString() {
    return "LinuxEpfRc[" + name + ", memory at bus 0x" + Long.toHexString(memoryBusAddress) + ", "
        + memory.byteSize() + " bytes" + (closed.get() ? ", closed]" : "]");
  }
}
