package io.reactorvirtio.transport.epf.sim;

import static io.reactorvirtio.transport.epf.sim.EpfSimLayout.*;

import io.reactorvirtio.virtio.transport.MemoryRegisterFile;
import io.reactorvirtio.virtio.memory.SharedRegion;
import io.reactorvirtio.virtio.memory.Window;
import io.reactorvirtio.virtio.notify.FutexDoorbell;
import io.reactorvirtio.virtio.notify.FutexInterruptSource;
import io.reactorvirtio.virtio.notify.PollingInterruptSource;
import io.reactorvirtio.virtio.spi.DeviceTransport;
import io.reactorvirtio.virtio.spi.DriverTransport;
import io.reactorvirtio.virtio.spi.Doorbell;
import io.reactorvirtio.virtio.spi.InterruptSource;
import io.reactorvirtio.virtio.spi.RegisterFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A simulated PCIe root complex and endpoint function: two processes sharing one {@code /dev/shm}
 * file laid out as {@link EpfSimLayout} (the EP's register BAR, its doorbell BAR, and RC memory the
 * EP reaches through an outbound window at a bus address), with futex-backed doorbells.
 *
 * <pre>{@code
 * // RC process (virtio driver)                  // EP process (vhost device)
 * DriverTransport rc = SimulatedEpf.rootComplex(file, EpfSimOptions.defaults());
 *                                                 DeviceTransport ep = SimulatedEpf.endpoint(file);
 * VirtioTransportLink.create(rc, options);        VhostTransportLink.create(ep, options);
 * }</pre>
 */
public final class SimulatedEpf {

  private static final VarHandle U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
  private static final VarHandle U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

  private SimulatedEpf() {}

  /**
   * The root complex: creates {@code file} (mode 0600), or re-initialises the one a killed RC
   * process left (same shape), and gives the driver side its transport. Closing it deletes the file.
   */
  public static DriverTransport rootComplex(Path file, EpfSimOptions options) {
    long size = fileSize(options.memorySize());
    SharedRegion region;
    boolean fresh = !Files.exists(file);
    if (!fresh) {
      region = SharedRegion.open(file);
      if (region.size() != size || (long) U64.getAcquire(region.segment(), MAGIC_OFFSET) != MAGIC) {
        region.close();
        throw new IllegalStateException(file + " exists and is not a simulated EPF bus of this shape ("
            + "need " + size + " bytes); remove it or choose another path");
      }
    } else {
      region = SharedRegion.create(file, size);
    }
    try {
      MemorySegment seg = region.segment();
      U32.set(seg, VERSION_OFFSET, VERSION);
      U32.set(seg, REGISTERS_OFFSET, REGISTERS);
      U64.set(seg, MEMORY_SIZE_OFFSET, options.memorySize());
      U64.set(seg, BUS_BASE_OFFSET, options.busBase());
      Duration poll = options.pollInterval();
      U32.set(seg, NOTIFY_MODE_OFFSET, poll == null ? NOTIFY_DOORBELL : NOTIFY_POLLED);
      U32.set(seg, POLL_US_OFFSET, poll == null ? 0 : (int) Math.max(1, poll.toNanos() / 1000));
      U64.setRelease(seg, MAGIC_OFFSET, MAGIC);
      return new RootComplex(region, options);
    } catch (RuntimeException | Error e) {
      region.close();
      if (fresh) {
        region.unlink(); // a file this call created and could not finish
      }
      throw e;
    }
  }

  /**
   * The endpoint function: maps the file the RC side created, validates its header (the file is
   * shared with the peer, hence untrusted), marks the function started, and gives the device side
   * its transport. Closing it stops the function (the RC sees the link down) and unmaps.
   *
   * @throws IllegalStateException when the file is not a simulated EPF bus or its header is impossible
   */
  public static DeviceTransport endpoint(Path file) {
    SharedRegion region = SharedRegion.open(file);
    try {
      MemorySegment seg = region.segment();
      // Read the header once and use what was checked (the RC could change it under us).
      Header h = Header.read(seg);
      String bad = h.check(seg.byteSize());
      if (bad != null) {
        throw new IllegalStateException(file + ": not a usable simulated EPF bus: " + bad);
      }
      return new Endpoint(region, h);
    } catch (RuntimeException e) {
      region.close();
      throw e;
    }
  }

  /** The header as read once from the file. */
  record Header(long magic, int version, int registers, long memorySize, long busBase, int notifyMode, int pollUs) {

    static Header read(MemorySegment seg) {
      if (seg.byteSize() < RC_MEMORY_OFFSET) {
        return new Header(0, 0, 0, 0, 0, 0, 0);
      }
      long magic = (long) U64.getAcquire(seg, MAGIC_OFFSET);
      return new Header(magic, (int) U32.get(seg, VERSION_OFFSET), (int) U32.get(seg, REGISTERS_OFFSET),
          (long) U64.get(seg, MEMORY_SIZE_OFFSET), (long) U64.get(seg, BUS_BASE_OFFSET),
          (int) U32.get(seg, NOTIFY_MODE_OFFSET), (int) U32.get(seg, POLL_US_OFFSET));
    }

    /** Null when the header is sound for a file of {@code fileSize} bytes, else the first bad field and its value. */
    @org.jspecify.annotations.Nullable String check(long fileSize) {
      if (fileSize < RC_MEMORY_OFFSET) {
        return "file size " + fileSize + " < " + RC_MEMORY_OFFSET;
      }
      if (magic != MAGIC) {
        return "magic = 0x" + Long.toHexString(magic);
      }
      if (version != VERSION) {
        return "version = " + version;
      }
      if (registers < 1 || 4L * registers > BAR0_SIZE) {
        return "registers = " + registers + " (BAR0 holds " + BAR0_SIZE / 4 + ")";
      }
      if (memorySize <= 0 || memorySize > fileSize - RC_MEMORY_OFFSET) {
        return "memory_size = " + memorySize + " (the file holds " + (fileSize - RC_MEMORY_OFFSET) + ")";
      }
      if (busBase % 4096 != 0 || Long.compareUnsigned(busBase + memorySize, busBase) < 0) {
        return "bus_base = 0x" + Long.toHexString(busBase);
      }
      if (notifyMode != NOTIFY_DOORBELL && notifyMode != NOTIFY_POLLED) {
        return "notify_mode = " + notifyMode;
      }
      if (notifyMode == NOTIFY_POLLED && (pollUs < 1 || pollUs >= 1_000_000)) {
        return "poll_us = " + pollUs;
      }
      return null;
    }
  }

  private static final class RootComplex implements DriverTransport {
    private final SharedRegion region;
    private final MemorySegment seg;
    private final RegisterFile registers;
    private final MemorySegment memory;
    private final long busBase;
    private final FutexDoorbell epDoorbell;
    private final FutexInterruptSource msi;

    RootComplex(SharedRegion region, EpfSimOptions options) {
      this.region = region;
      this.seg = region.segment();
      this.registers = new MemoryRegisterFile(seg, BAR0_OFFSET, REGISTERS);
      this.memory = seg.asSlice(RC_MEMORY_OFFSET, options.memorySize());
      this.busBase = options.busBase();
      this.epDoorbell = new FutexDoorbell(seg, EP_DOORBELL_OFFSET);
      this.msi = new FutexInterruptSource(seg, MSI_OFFSET);
    }

    @Override
    public String name() {
      return "epf-rc:" + region.path().getFileName();
    }

    @Override
    public RegisterFile registers() {
      return registers;
    }

    @Override
    public MemorySegment memory() {
      return memory;
    }

    @Override
    public long memoryBusAddress() {
      return busBase;
    }

    @Override
    public Doorbell deviceDoorbell(int queue) {
      return epDoorbell; // one doorbell for all queues: the EP looks at every ring when woken
    }

    @Override
    public InterruptSource interrupts() {
      return msi;
    }

    @Override
    public boolean hardwareLinkUp() {
      return (int) U32.getAcquire(seg, EP_STARTED_OFFSET) == 1;
    }

    @Override
    public void close() {
      region.close();
      region.unlink();
    }

    @Override
    public String toString() {
      return name();
    }
  }

  private static final class Endpoint implements DeviceTransport {
    private final SharedRegion region;
    private final MemorySegment seg;
    private final RegisterFile registers;
    private final Window window;
    private final FutexDoorbell msi;
    private final InterruptSource interrupts;

    Endpoint(SharedRegion region, Header h) {
      this.region = region;
      this.seg = region.segment();
      this.registers = new MemoryRegisterFile(seg, BAR0_OFFSET, h.registers());
      this.window = Window.of(seg.asSlice(RC_MEMORY_OFFSET, h.memorySize()), h.busBase());
      this.msi = new FutexDoorbell(seg, MSI_OFFSET);
      this.interrupts = h.notifyMode() == NOTIFY_POLLED
          ? new PollingInterruptSource(Duration.ofNanos(1000L * h.pollUs()))
          : new FutexInterruptSource(seg, EP_DOORBELL_OFFSET);
      U32.setRelease(seg, EP_STARTED_OFFSET, 1);
    }

    @Override
    public String name() {
      return "epf-ep:" + region.path().getFileName();
    }

    @Override
    public RegisterFile registers() {
      return registers;
    }

    @Override
    public Window window() {
      return window;
    }

    @Override
    public Doorbell driverDoorbell(int queue) {
      return msi;
    }

    @Override
    public InterruptSource interrupts() {
      return interrupts;
    }

    @Override
    public boolean hardwareLinkUp() {
      return true;
    }

    @Override
    public void close() {
      U32.setRelease(seg, EP_STARTED_OFFSET, 0);
      region.close();
    }

    @Override
    public String toString() {
      return name();
    }
  }
}
