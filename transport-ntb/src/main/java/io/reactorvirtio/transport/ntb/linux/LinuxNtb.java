package io.reactorvirtio.transport.ntb.linux;

import io.reactorvirtio.virtio.memory.SharedRegion;
import io.reactorvirtio.virtio.memory.Window;
import io.reactorvirtio.virtio.spi.DeviceTransport;
import io.reactorvirtio.virtio.spi.Doorbell;
import io.reactorvirtio.virtio.spi.RegisterFile;
import io.reactorvirtio.virtio.transport.VirtioRegisters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Linux NTB backend for HOST2, the vhost device side, built from what a stock kernel offers
 * without a custom driver: {@code ntb_tool}'s debugfs files for the scratchpads, doorbells and
 * link, and the NTB PCI device's sysfs {@code resourceN} file (the BAR behind which the peer's
 * memory window appears) mapped with {@link SharedRegion#open} ({@code FileChannel.map}, FACTS
 * §5.1).
 *
 * <pre>{@code
 * NtbToolPort ntb = NtbToolPort.open(Path.of("/sys/kernel/debug"), "0000:01:00.0");
 * try (LinuxNtb.Host2 h2 = LinuxNtb.host2(ntb, 0,
 *     Path.of("/sys/bus/pci/devices/0000:01:00.0/resource2"), host1DmaAddress,
 *     NtbDoorbellInterruptSource.DEFAULT_POLL_INTERVAL)) { ... }
 * }</pre>
 *
 * <p>There is no {@code host1}: the driver side needs DMA memory that the peer reaches through
 * HOST1's inbound window, and ntb_tool allocates that buffer in the kernel without offering
 * {@code mmap} (FACTS §5.5, §7.13), so user space cannot place rings in it. That takes a driver.
 *
 * <p><strong>Not tried on hardware.</strong> Tested only against a fake debugfs tree and a plain
 * file standing in for {@code resourceN}.
 */
public final class LinuxNtb {

  /** Scratchpads the virtio register block needs at most ({@code VirtioRegisters.count(8)}). */
  public static final int REQUIRED_SCRATCHPADS = VirtioRegisters.count(VirtioRegisters.MAX_QUEUES);

  private LinuxNtb() {}

  /**
   * Builds HOST2's transport and enables the local link ({@code echo Y > link}).
   *
   * @param port the ntb_tool device
   * @param peer the peer index ({@code peerK}) that is HOST1
   * @param peerWindowResource the sysfs {@code resourceN} file of the BAR through which HOST1's
   *     inbound memory window is reached (outbound translation already set up, e.g. with {@link
   *     NtbToolPort#setOutboundWindow}); mapped whole
   * @param windowBusBase HOST1's bus (DMA) address of byte 0 of that window, as HOST1 reads it
   *     from {@code mw_transN} and publishes it: ring and buffer addresses are in HOST1's space
   * @param pollInterval how often the interrupt source reads {@code db} (debugfs cannot block)
   * @throws IllegalStateException if peer K has fewer than {@link #REQUIRED_SCRATCHPADS}
   *     scratchpads
   * @throws NtbToolException if a debugfs file is missing or fails
   * @throws java.io.UncheckedIOException if the resource file cannot be mapped
   */
  public static Host2 host2(NtbToolPort port, int peer, Path peerWindowResource, long windowBusBase,
      Duration pollInterval) {
    port.peerDir(peer); // fails early, naming the peers there are
    ScratchpadAccess spads = port.peerScratchpads(peer);
    if (spads.count() < REQUIRED_SCRATCHPADS) {
      throw new IllegalStateException("NTB " + port.device() + " peer " + peer + " has "
          + spads.count() + " scratchpads; the virtio register block needs "
          + REQUIRED_SCRATCHPADS + " (for pci-epf-vntb set spad_count to 128)");
    }
    NtbDoorbellInterruptSource interrupts = port.interruptSource(pollInterval);
    SharedRegion region = SharedRegion.open(peerWindowResource);
    try {
      Window window = Window.of(region.segment(), windowBusBase);
      Host2 h = new Host2(port, peer, new NtbToolRegisterFile(spads), region, window, interrupts);
      port.setLinkEnabled(true);
      return h;
    } catch (RuntimeException e) {
      region.close();
      throw e;
    }
  }

  /**
   * HOST2 on Linux: scratchpads and doorbells through ntb_tool, the peer window through a mapped
   * {@code resourceN}.
   */
  public static final class Host2 implements DeviceTransport {

    private final NtbToolPort port;
    private final int peer;
    private final NtbToolRegisterFile registers;
    private final SharedRegion region;
    private final Window window;
    private final NtbDoorbellInterruptSource interrupts;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Host2(NtbToolPort port, int peer, NtbToolRegisterFile registers, SharedRegion region,
        Window window, NtbDoorbellInterruptSource interrupts) {
      this.port = port;
      this.peer = peer;
      this.registers = registers;
      this.region = region;
      this.window = window;
      this.interrupts = interrupts;
    }

    @Override
    public String name() {
      return "ntb:" + port.device() + ":peer" + peer;
    }

    /**
     * HOST1's scratchpads ({@code peerK/spadN}): one bank both sides use; slow (debugfs I/O per
     * access), for the handshake only.
     */
    @Override
    public RegisterFile registers() {
      return registers;
    }

    /** The mapped {@code resourceN} at HOST1's bus address of the window. */
    @Override
    public Window window() {
      return window;
    }

    /**
     * Rings peer doorbell bit {@code queue} ({@code echo "s 0x<1 << queue>" > peer_db}).
     *
     * @throws IllegalArgumentException if queue is not in 0..63
     */
    @Override
    public Doorbell driverDoorbell(int queue) {
      return port.doorbell(queue);
    }

    /** Polls {@code db} for every valid bit and clears what it handles. */
    @Override
    public NtbDoorbellInterruptSource interrupts() {
      return interrupts;
    }

    /** {@code peerK/link} reads Y (one debugfs read). */
    @Override
    public boolean hardwareLinkUp() {
      return port.peerLinkUp(peer);
    }

    /** Stops the interrupt source, disables the local link ({@code echo N > link}), unmaps. */
    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      try {
        interrupts.close();
        port.setLinkEnabled(false);
      } finally {
        region.close();
      }
    }

    @Override
    public String toString() {
      return "LinuxNtb.Host2[" + port.device() + " peer " + peer + ", " + window + "]";
    }
  }
}
