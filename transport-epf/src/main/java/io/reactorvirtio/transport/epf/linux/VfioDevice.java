package io.reactorvirtio.transport.epf.linux;

import io.reactorvirtio.transport.epf.internal.nativeio.LinuxCalls;
import io.reactorvirtio.transport.epf.internal.vfio.VfioDeviceInfoLayout;
import io.reactorvirtio.transport.epf.internal.vfio.VfioDmaMapLayout;
import io.reactorvirtio.transport.epf.internal.vfio.VfioGroupStatusLayout;
import io.reactorvirtio.transport.epf.internal.vfio.VfioIoctl;
import io.reactorvirtio.transport.epf.internal.vfio.VfioIrqSetLayout;
import io.reactorvirtio.transport.epf.internal.vfio.VfioRegionInfoLayout;
import io.reactorvirtio.virtio.internal.nativeio.Mmap;
import io.reactorvirtio.virtio.internal.nativeio.NativeException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A PCI device driven through VFIO (type-1 IOMMU), following {@code Documentation/driver-api/
 * vfio.rst} (FACTS §5.3): open the container {@code /dev/vfio/vfio}, check the API version and
 * the type-1 extension, open the device's group {@code /dev/vfio/<group>}, require VIABLE, attach
 * it to the container, set the IOMMU, get the device fd and its info. Then: region info and mmap
 * of mappable regions, DMA maps of this process's memory at chosen IOVAs, and MSI-X vectors routed
 * to eventfds ({@link VfioInterruptSource}).
 *
 * <pre>{@code
 * try (VfioDevice dev = VfioDevice.open(Path.of("/sys"), Path.of("/dev"), "0000:01:00.0")) {
 *   MemorySegment bar0 = dev.mapRegion(0, arena);
 *   dev.mapDma(ringMemory, 0x1000_0000L);          // the device sees ringMemory at IOVA 0x1000_0000
 *   List<VfioInterruptSource> irqs = dev.enableMsix(2);
 * }
 * }</pre>
 *
 * <p><b>Untested:</b> no VFIO-capable device exists where this was written; only the argument
 * structs (golden bytes) and the error paths before the first ioctl are tested. Needs the device
 * (and every device of its IOMMU group) bound to {@code vfio-pci}, a cache-coherent IOMMU, and
 * RLIMIT_MEMLOCK for the DMA maps.
 */
public final class VfioDevice implements AutoCloseable {

  private final String address;
  private final int group;
  private final int container;
  private final int groupFd;
  private final int deviceFd;
  private final int flags;
  private final int numRegions;
  private final int numIrqs;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object lock = new Object();

  private VfioDevice(String address, int group, int container, int groupFd, int deviceFd,
      int flags, int numRegions, int numIrqs) {
    this.address = address;
    this.group = group;
    this.container = container;
    this.groupFd = groupFd;
    this.deviceFd = deviceFd;
    this.flags = flags;
    this.numRegions = numRegions;
    this.numIrqs = numIrqs;
  }

  /**
   * Runs the open sequence for the PCI device at {@code address}.
   *
   * @throws LinuxDeviceException naming the failed step: no IOMMU group, no {@code /dev/vfio},
   *     API mismatch, no type-1 IOMMU, group not viable (another device of the group is bound to
   *     a host driver), or an ioctl failure with its errno
   */
  public static VfioDevice open(Path sysfsRoot, Path devRoot, String address) {
    PciSysfsDevice pci = PciSysfsDevice.open(sysfsRoot, address);
    int group = pci.iommuGroup().orElseThrow(() -> new LinuxDeviceException(
        pci.directory().resolve("iommu_group"), "PCI device " + address + " has no IOMMU group"
            + " (no IOMMU, or it is disabled: intel_iommu=on / amd_iommu=on; VFIO needs one)"));
    Path vfio = devRoot.resolve("vfio");
    List<Integer> opened = new ArrayList<>();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment cap = LinuxCalls.newCaptureSegment(a);
      int container = openFd(a, cap, vfio.resolve("vfio"), "the VFIO container (modprobe vfio-pci)");
      opened.add(container);
      int version = LinuxCalls.ioctl(cap, container, VfioIoctl.GET_API_VERSION, 0L);
      if (version != VfioIoctl.VFIO_API_VERSION) {
        throw new LinuxDeviceException(vfio.resolve("vfio"), "VFIO API version " + version
            + ", expected " + VfioIoctl.VFIO_API_VERSION);
      }
      int iommu = VfioIoctl.TYPE1V2_IOMMU;
      if (LinuxCalls.ioctl(cap, container, VfioIoctl.CHECK_EXTENSION, (long) iommu) <= 0) {
        iommu = VfioIoctl.TYPE1_IOMMU;
        if (LinuxCalls.ioctl(cap, container, VfioIoctl.CHECK_EXTENSION, (long) iommu) <= 0) {
          throw new LinuxDeviceException(vfio.resolve("vfio"), "the VFIO container supports no"
              + " type-1 IOMMU (no-IOMMU mode cannot map DMA and is not supported here)");
        }
      }
      Path groupPath = vfio.resolve(Integer.toString(group));
      int groupFd = openFd(a, cap, groupPath, "VFIO group " + group
          + " (bind the device to vfio-pci: echo vfio-pci > .../driver_override)");
      opened.add(groupFd);
      MemorySegment status = a.allocate(VfioGroupStatusLayout.SIZE, 8);
      VfioGroupStatusLayout.init(status);
      check(cap, LinuxCalls.ioctl(cap, groupFd, VfioIoctl.GROUP_GET_STATUS, status), groupPath,
          "VFIO_GROUP_GET_STATUS");
      if ((VfioGroupStatusLayout.flags(status) & VfioGroupStatusLayout.FLAG_VIABLE) == 0) {
        throw new LinuxDeviceException(groupPath, "VFIO group " + group + " is not viable: every"
            + " device in " + sysfsRoot.resolve("kernel/iommu_groups/" + group + "/devices")
            + " must be bound to vfio-pci or to no driver");
      }
      MemorySegment containerArg = a.allocate(ValueLayout.JAVA_INT);
      containerArg.set(ValueLayout.JAVA_INT, 0, container);
      check(cap, LinuxCalls.ioctl(cap, groupFd, VfioIoctl.GROUP_SET_CONTAINER, containerArg),
          groupPath, "VFIO_GROUP_SET_CONTAINER");
      check(cap, LinuxCalls.ioctl(cap, container, VfioIoctl.SET_IOMMU, (long) iommu),
          vfio.resolve("vfio"), "VFIO_SET_IOMMU");
      int deviceFd = LinuxCalls.ioctl(cap, groupFd, VfioIoctl.GROUP_GET_DEVICE_FD,
          a.allocateFrom(address));
      check(cap, deviceFd, groupPath, "VFIO_GROUP_GET_DEVICE_FD(" + address + ")");
      opened.add(deviceFd);
      MemorySegment info = a.allocate(24, 8);
      VfioDeviceInfoLayout.init(info);
      check(cap, LinuxCalls.ioctl(cap, deviceFd, VfioIoctl.DEVICE_GET_INFO, info), groupPath,
          "VFIO_DEVICE_GET_INFO");
      return new VfioDevice(address, group, container, groupFd, deviceFd,
          VfioDeviceInfoLayout.flags(info), VfioDeviceInfoLayout.numRegions(info),
          VfioDeviceInfoLayout.numIrqs(info));
    } catch (RuntimeException e) {
      closeAll(opened);
      throw e;
    }
  }

  /** The PCI address. */
  public String address() {
    return address;
  }

  /** The IOMMU group number. */
  public int group() {
    return group;
  }

  /** {@code vfio_device_info.flags} (1 RESET, 2 PCI). */
  public int flags() {
    return flags;
  }

  /** Number of regions (9 for PCI). */
  public int numRegions() {
    return numRegions;
  }

  /** Number of IRQ indices (5 for PCI). */
  public int numIrqs() {
    return numIrqs;
  }

  /** {@code VFIO_DEVICE_GET_REGION_INFO} for {@code index}. */
  public VfioRegion regionInfo(int index) {
    ensureOpen();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment cap = LinuxCalls.newCaptureSegment(a);
      MemorySegment info = a.allocate(VfioRegionInfoLayout.SIZE, 8);
      VfioRegionInfoLayout.init(info, index);
      check(cap, LinuxCalls.ioctl(cap, deviceFd, VfioIoctl.DEVICE_GET_REGION_INFO, info),
          Path.of("/dev/vfio/" + group), "VFIO_DEVICE_GET_REGION_INFO(" + index + ")");
      return new VfioRegion(index, VfioRegionInfoLayout.flags(info),
          VfioRegionInfoLayout.size(info), VfioRegionInfoLayout.offset(info));
    }
  }

  /**
   * Maps a whole region (rounded up to pages) read-write at its {@code offset} in the device fd;
   * unmapped when {@code arena} closes. The MSI-X table may be excluded from mmap on some
   * platforms (sparse-mmap capability, not handled here): keep to the parts you need.
   *
   * @throws LinuxDeviceException if the region is not mappable or mmap fails
   */
  @SuppressWarnings("restricted")
  public MemorySegment mapRegion(int index, Arena arena) {
    VfioRegion r = regionInfo(index);
    Path where = Path.of("/dev/vfio/" + group);
    if (r.size() == 0 || !r.mappable()) {
      throw new LinuxDeviceException(where, "VFIO region " + index + " of " + address
          + " cannot be mapped (size " + r.size() + ", flags 0x" + Integer.toHexString(r.flags()) + ")");
    }
    long page = Mmap.pageSize();
    long length = (r.size() + page - 1) / page * page;
    long addr;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment cap = LinuxCalls.newCaptureSegment(a);
      addr = LinuxCalls.mmap(cap, length, LinuxCalls.PROT_READ | LinuxCalls.PROT_WRITE,
          LinuxCalls.MAP_SHARED, deviceFd, r.offset());
      if (addr == -1L) {
        int errno = LinuxCalls.errno(cap);
        throw new LinuxDeviceException(where, "mmap of VFIO region " + index + " of " + address
            + " failed: errno " + errno + " (" + NativeException.errnoName(errno) + ")");
      }
    }
    long mapped = addr;
    return MemorySegment.ofAddress(addr).reinterpret(r.size(), arena, s -> {
      try (Arena a = Arena.ofConfined()) {
        LinuxCalls.munmap(LinuxCalls.newCaptureSegment(a), mapped, length);
      }
    });
  }

  /**
   * {@code VFIO_IOMMU_MAP_DMA}: the device reaches {@code memory} (a page-aligned native segment
   * of whole pages, e.g. from {@code Arena.allocate(size, pageSize)}) at bus address {@code iova},
   * read and write. The pages are pinned (RLIMIT_MEMLOCK).
   */
  public void mapDma(MemorySegment memory, long iova) {
    ensureOpen();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment cap = LinuxCalls.newCaptureSegment(a);
      MemorySegment arg = a.allocate(VfioDmaMapLayout.SIZE, 8);
      VfioDmaMapLayout.encode(arg, VfioDmaMapLayout.FLAG_READ | VfioDmaMapLayout.FLAG_WRITE,
          memory.address(), iova, memory.byteSize(), Mmap.pageSize());
      check(cap, LinuxCalls.ioctl(cap, container, VfioIoctl.IOMMU_MAP_DMA, arg),
          Path.of("/dev/vfio/vfio"), "VFIO_IOMMU_MAP_DMA(iova 0x" + Long.toHexString(iova) + ")");
    }
  }

  /** {@code VFIO_IOMMU_UNMAP_DMA} of {@code size} bytes at {@code iova}. */
  public void unmapDma(long iova, long size) {
    ensureOpen();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment cap = LinuxCalls.newCaptureSegment(a);
      MemorySegment arg = a.allocate(24, 8); // argsz, flags, iova @8, size @16
      arg.set(ValueLayout.JAVA_INT, 0, 24);
      arg.set(ValueLayout.JAVA_INT, 4, 0);
      arg.set(ValueLayout.JAVA_LONG, 8, iova);
      arg.set(ValueLayout.JAVA_LONG, 16, size);
      check(cap, LinuxCalls.ioctl(cap, container, VfioIoctl.IOMMU_UNMAP_DMA, arg),
          Path.of("/dev/vfio/vfio"), "VFIO_IOMMU_UNMAP_DMA(iova 0x" + Long.toHexString(iova) + ")");
    }
  }

  /**
   * Routes MSI-X vectors 0..n-1 to new eventfds ({@code VFIO_DEVICE_SET_IRQS}, DATA_EVENTFD |
   * ACTION_TRIGGER, index 2, argsz 20 + 4n) and returns one interrupt source per vector.
   */
  public List<VfioInterruptSource> enableMsix(int vectors) {
    ensureOpen();
    if (vectors <= 0) {
      throw new IllegalArgumentException("MSI-X vector count must be positive: " + vectors);
    }
    List<VfioInterruptSource> sources = new ArrayList<>();
    try (Arena a = Arena.ofConfined()) {
      int[] fds = new int[vectors];
      for (int i = 0; i < vectors; i++) {
        VfioInterruptSource s = VfioInterruptSource.create(i);
        sources.add(s);
        fds[i] = s.fd();
      }
      MemorySegment cap = LinuxCalls.newCaptureSegment(a);
      MemorySegment arg = a.allocate(VfioIrqSetLayout.size(vectors), 8);
      VfioIrqSetLayout.encodeEventFds(arg, VfioIoctl.PCI_MSIX_IRQ_INDEX, 0, fds);
      synchronized (lock) {
        check(cap, LinuxCalls.ioctl(cap, deviceFd, VfioIoctl.DEVICE_SET_IRQS, arg),
            Path.of("/dev/vfio/" + group), "VFIO_DEVICE_SET_IRQS(MSI-X, " + vectors + " eventfds)");
      }
      return List.copyOf(sources);
    } catch (RuntimeException e) {
      sources.forEach(VfioInterruptSource::close);
      throw e;
    }
  }

  /** Disables all MSI-X vectors (count 0, DATA_NONE | ACTION_TRIGGER). */
  public void disableMsix() {
    ensureOpen();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment cap = LinuxCalls.newCaptureSegment(a);
      MemorySegment arg = a.allocate(VfioIrqSetLayout.HEADER_SIZE, 8);
      VfioIrqSetLayout.encodeDisable(arg, VfioIoctl.PCI_MSIX_IRQ_INDEX);
      synchronized (lock) {
        check(cap, LinuxCalls.ioctl(cap, deviceFd, VfioIoctl.DEVICE_SET_IRQS, arg),
            Path.of("/dev/vfio/" + group), "VFIO_DEVICE_SET_IRQS(MSI-X off)");
      }
    }
  }

  /** Closes the device, group and container descriptors; idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      closeAll(List.of(deviceFd, groupFd, container));
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("VFIO device " + address + " is closed");
    }
  }

  private static int openFd(Arena a, MemorySegment cap, Path path, String what) {
    int fd = LinuxCalls.open(cap, a.allocateFrom(path.toString()),
        LinuxCalls.O_RDWR | LinuxCalls.O_CLOEXEC, 0);
    if (fd < 0) {
      int errno = LinuxCalls.errno(cap);
      throw new LinuxDeviceException(path, "cannot open " + path + ", " + what + ": errno " + errno
          + " (" + NativeException.errnoName(errno) + ")");
    }
    return fd;
  }

  private static void check(MemorySegment cap, int result, Path where, String call) {
    if (result < 0) {
      int errno = LinuxCalls.errno(cap);
      throw new LinuxDeviceException(where, call + " failed: errno " + errno + " ("
          + NativeException.errnoName(errno) + ")");
    }
  }

  private static void closeAll(List<Integer> fds) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment cap = LinuxCalls.newCaptureSegment(a);
      for (int i = fds.size() - 1; i >= 0; i--) {
        LinuxCalls.close(cap, fds.get(i));
      }
    }
  }

  @Override
  public String toString() {
    return "VfioDevice[" + address + ", group " + group + (closed.get() ? ", closed]" : "]");
  }
}
