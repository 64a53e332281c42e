package io.reactorvirtio.transport.ntb.sim;

import static io.reactorvirtio.transport.ntb.sim.NtbSimFile.U32;
import static io.reactorvirtio.transport.ntb.sim.NtbSimLayout.DB;
import static io.reactorvirtio.transport.ntb.sim.NtbSimLayout.DB_MASK;
import static io.reactorvirtio.transport.ntb.sim.NtbSimLayout.HOST1;
import static io.reactorvirtio.transport.ntb.sim.NtbSimLayout.HOST2;
import static io.reactorvirtio.transport.ntb.sim.NtbSimLayout.MW0_OFFSET;
import static io.reactorvirtio.transport.ntb.sim.NtbSimLayout.SPADS_OFFSET;
import static io.reactorvirtio.transport.ntb.sim.NtbSimLayout.SPAD_COUNT;

import io.reactorvirtio.virtio.transport.MemoryRegisterFile;
import io.reactorvirtio.virtio.memory.SharedRegion;
import io.reactorvirtio.virtio.memory.Window;
import io.reactorvirtio.virtio.notify.FutexDoorbell;
import io.reactorvirtio.virtio.notify.FutexDoorbellLayout;
import io.reactorvirtio.virtio.spi.DeviceTransport;
import io.reactorvirtio.virtio.spi.Doorbell;
import io.reactorvirtio.virtio.spi.DriverTransport;
import io.reactorvirtio.virtio.spi.RegisterFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A two-port NTB simulated in one {@code /dev/shm} file (layout: {@link NtbSimLayout}): per-port
 * link enable, doorbell bits with mask and a futex "interrupt", 128 shared scratchpads, and one
 * memory window (MW0) that is HOST1's inbound window.
 *
 * <pre>{@code
 * // process A (virtio driver side, owns the file; a restarted A takes its old file over)
 * try (SimulatedNtb.Host1 h1 = SimulatedNtb.host1(file, NtbSimOptions.defaults())) { ... }
 * // process B (vhost device side)
 * try (SimulatedNtb.Host2 h2 = SimulatedNtb.host2(file)) { ... }
 * }</pre>
 *
 * <p>Queue {@code q} rings doorbell bit {@code q} (a bit number, {@code 1 << q}; FACTS §7.7), so
 * queue indices must be below 32. Ring addresses are bus addresses: HOST1 places rings in {@link
 * Host1#memory()} and publishes {@code memoryBusAddress() + offset}; HOST2 resolves them through
 * {@link Host2#window()}, which refuses anything outside MW0.
 */
public final class SimulatedNtb {

  private SimulatedNtb() {}

  /**
   * Creates {@code file} (mode 0600), writes the header, and enables HOST1's link. Closing the
   * returned transport disables the link, unmaps and deletes the file.
   *
   * <p>If {@code file} already exists and is a simulated NTB file of the same shape (the magic, and
   * the size these options give), it is taken over: this is what a restarted HOST1 finds after the
   * previous one was killed (SIGKILL deletes nothing). The header is rewritten and HOST1's stale
   * doorbell latch, mask and futex "armed" flag are cleared; the scratchpads (where HOST2 publishes its registers),
   * HOST2's port block and MW0 are kept, so a HOST2 that is still running sees the new driver
   * re-negotiate. A HOST2 already running keeps the window it mapped, so a takeover with another
   * {@code mwBusBase} makes it refuse the new ring addresses. Nothing guards against two live HOST1
   * processes on one file.
   *
   * @throws IllegalStateException if the file exists and is not a simulated NTB file of this shape
   *     (it is left untouched)
   * @throws java.io.UncheckedIOException if the file cannot be created, opened or mapped
   */
  public static Host1 host1(Path file, NtbSimOptions options) {
    long size = NtbSimLayout.fileSize(options.mwSize());
    boolean existed = Files.exists(file);
    SharedRegion region = existed ? takeOver(file, size) : SharedRegion.create(file, size);
    try {
      MemorySegment seg = region.segment();
      if (existed) { // a HOST2 that opens the file meanwhile sees "not finished creating it"
        NtbSimFile.U64.setRelease(seg, NtbSimLayout.MAGIC_OFFSET, 0L);
        U32.setRelease(seg, NtbSimLayout.port(HOST1, DB_MASK), 0);
        U32.setRelease(seg, NtbSimLayout.port(HOST1, DB), 0);
        // The dead poller's "armed" flag: HOST1's futex has no other waiter.
        U32.setRelease(seg, NtbSimLayout.port(HOST1, NtbSimLayout.DOORBELL) + FutexDoorbellLayout.WAITERS_OFFSET, 0);
      }
      NtbSimFile.writeHeader(seg, options);
      Host1 h = new Host1(region, options);
      NtbSimFile.setLinkEnabled(seg, HOST1, true);
      return h;
    } catch (RuntimeException e) {
      region.close();
      if (!existed) {
        region.unlink();
      }
      throw e;
    }
  }

  /** Maps an existing file if it is a simulated NTB file of {@code size} bytes, else refuses it. */
  private static SharedRegion takeOver(Path file, long size) {
    long actual;
    try {
      actual = Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (actual == size) {
      SharedRegion region = SharedRegion.open(file);
      if (region.size() == size
          && (long) NtbSimFile.U64.getAcquire(region.segment(), NtbSimLayout.MAGIC_OFFSET) == NtbSimLayout.MAGIC) {
        return region;
      }
      region.close();
    }
    throw new IllegalStateException(file + " exists and is not a simulated NTB file of this shape (need "
        + size + " bytes starting with the magic \"RVNTBSM1\", found " + actual
        + " bytes); remove it or choose another path");
  }

  /**
   * Opens a file HOST1 created, validates its header (the file is the peer's and untrusted), and
   * enables HOST2's link. Closing disables the link and unmaps; the file stays (HOST1 owns it).
   *
   * @throws IllegalStateException naming the bad header field and its value
   * @throws java.io.UncheckedIOException if the file does not exist, is empty or cannot be mapped
   */
  public static Host2 host2(Path file) {
    SharedRegion region = SharedRegion.open(file);
    try {
      NtbSimOptions options = NtbSimFile.validate(region);
      Host2 h = new Host2(region, options);
      NtbSimFile.setLinkEnabled(region.segment(), HOST2, true);
      return h;
    } catch (RuntimeException e) {
      region.close();
      throw e;
    }
  }

  /** What both ports share: the mapping, the scratchpads, the local doorbell latch and mask. */
  /**
   * One port of the simulated NTB, what both hosts have alike: the shared scratchpads, their own
   * doorbell register (bits, mask, futex) and link-enable word. {@link Host1} and {@link Host2}
   * add their role's memory view and which peer they ring.
   */
  public abstract static sealed class Port permits Host1, Host2 {
    final SharedRegion region;
    final MemorySegment seg;
    final int port;
    final NtbSimOptions options;
    final MemoryRegisterFile spads;
    final NtbSimInterruptSource interrupts;
    final AtomicBoolean closed = new AtomicBoolean();

    Port(SharedRegion region, int port, NtbSimOptions options) {
      this.region = region;
      this.seg = region.segment();
      this.port = port;
      this.options = options;
      this.spads = new MemoryRegisterFile(seg, SPADS_OFFSET, SPAD_COUNT);
      this.interrupts = new NtbSimInterruptSource(seg, port);
    }

    MemorySegment mw0() {
      return seg.asSlice(MW0_OFFSET, options.mwSize());
    }

    /** The 128 shared scratchpads. */
    public RegisterFile registers() {
      return spads;
    }

    /** This port's doorbell: parks on its futex, clears the {@code db} bits it consumes. */
    public NtbSimInterruptSource interrupts() {
      return interrupts;
    }

    /** Both ports have their link enabled. */
    public boolean hardwareLinkUp() {
      return NtbSimFile.linkEnabled(seg, HOST1) && NtbSimFile.linkEnabled(seg, HOST2);
    }

    /** The options of this file (written by HOST1, read back from the validated header by HOST2). */
    public NtbSimOptions options() {
      return options;
    }

    /** This port's latched doorbell bits. */
    public int db() {
      return (int) U32.getAcquire(seg, NtbSimLayout.port(port, DB));
    }

    /** This port's doorbell mask. */
    public int dbMask() {
      return (int) U32.getAcquire(seg, NtbSimLayout.port(port, DB_MASK));
    }

    /** Masks doorbell bits: they still latch in {@code db} but raise no interrupt. */
    public void setDbMask(int bits) {
      int unused = (int) U32.getAndBitwiseOr(seg, NtbSimLayout.port(port, DB_MASK), bits);
    }

    /** Unmasks doorbell bits; any of them already latched raise the interrupt now. */
    public void clearDbMask(int bits) {
      int unused = (int) U32.getAndBitwiseAnd(seg, NtbSimLayout.port(port, DB_MASK), ~bits);
      if ((db() & bits) != 0) { // bits latched while masked raise the interrupt now
        new FutexDoorbell(seg, NtbSimLayout.port(port, NtbSimLayout.DOORBELL)).ring();
      }
    }

    /** Disables this port's link and unmaps; true the first time. */
    boolean closePort() {
      if (!closed.compareAndSet(false, true)) {
        return false;
      }
      try {
        interrupts.close();
        NtbSimFile.setLinkEnabled(seg, port, false);
      } finally {
        region.close();
      }
      return true;
    }
  }

  /**
   * HOST1, the virtio driver side: owns the file and MW0 (its inbound window), rings HOST2's
   * doorbell bits, parks on its own.
   */
  public static final class Host1 extends Port implements DriverTransport {

    private Host1(SharedRegion region, NtbSimOptions options) {
      super(region, HOST1, options);
    }

    @Override
    public String name() {
      return "ntb-sim:host1:" + region.path().getFileName();
    }

    /** MW0: HOST1's inbound window, the memory HOST2 reaches. */
    @Override
    public MemorySegment memory() {
      return mw0();
    }

    /** Where HOST2 sees MW0 byte 0 (the header's {@code mw0_bus_base}). */
    @Override
    public long memoryBusAddress() {
      return options.mwBusBase();
    }

    /**
     * {@code peer_db_set(1 << queue)} on HOST2.
     *
     * @throws IllegalArgumentException if queue is not in 0..31
     */
    @Override
    public Doorbell deviceDoorbell(int queue) {
      return new NtbSimDoorbell(seg, HOST2, queue);
    }

    /** Disables HOST1's link, unmaps and deletes the file; idempotent. */
    @Override
    public void close() {
      if (closePort()) {
        region.unlink();
      }
    }

    @Override
    public String toString() {
      return "SimulatedNtb.Host1[" + region.path() + ", " + options + "]";
    }
  }

  /**
   * HOST2, the vhost device side: reaches MW0 through a {@link Window} at the header's bus base,
   * rings HOST1's doorbell bits, parks on its own.
   */
  public static final class Host2 extends Port implements DeviceTransport {

    private final Window window;

    private Host2(SharedRegion region, NtbSimOptions options) {
      super(region, HOST2, options);
      this.window = Window.of(mw0(), options.mwBusBase());
    }

    @Override
    public String name() {
      return "ntb-sim:host2:" + region.path().getFileName();
    }

    /** MW0 at bus {@code mw0_bus_base}; refuses addresses outside it. */
    @Override
    public Window window() {
      return window;
    }

    /**
     * {@code peer_db_set(1 << queue)} on HOST1.
     *
     * @throws IllegalArgumentException if queue is not in 0..31
     */
    @Override
    public Doorbell driverDoorbell(int queue) {
      return new NtbSimDoorbell(seg, HOST1, queue);
    }

    /** Disables HOST2's link and unmaps; the file stays. Idempotent. */
    @Override
    public void close() {
      closePort();
    }

    @Override
    public String toString() {
      return "SimulatedNtb.Host2[" + region.path() + ", " + options + "]";
    }
  }
}
