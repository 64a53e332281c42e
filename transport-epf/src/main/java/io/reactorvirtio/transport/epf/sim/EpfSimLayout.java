package io.reactorvirtio.transport.epf.sim;

import io.reactorvirtio.virtio.transport.VirtioRegisters;

/**
 * The shared file of a simulated PCIe root complex / endpoint function pair: exactly what the
 * hardware has, nothing more. Little-endian.
 *
 * <pre>
 * 0x0000 header (the simulation's own bookkeeping, what enumeration would tell each side)
 *   +0x00 magic        u64  "RVEPFSM1", written last by the RC side (release)
 *   +0x08 version      u32  1
 *   +0x0C registers    u32  number of 32-bit registers in BAR0 (at least VirtioRegisters.count(1))
 *   +0x10 memory_size  u64  bytes of RC memory the EP's outbound window maps
 *   +0x18 bus_base     u64  the bus (DMA) address of RC memory byte 0: what ring addresses carry
 *   +0x20 ep_started   u32  1 while the EP function is bound and started (configfs "start")
 *   +0x24 notify_mode  u32  0 = EP doorbell interrupt, 1 = the EP polls (no RC-to-EP interrupt)
 *   +0x28 poll_us      u32  the EP's polling interval in mode 1, microseconds
 * 0x1000 BAR0          the EP function's register block ({@link VirtioRegisters}), in EP memory
 * 0x2000 BAR2          doorbells, each in its own cache line:
 *   +0x00 EP doorbell  8 bytes (futex seq, waiters): RC writes DB_DATA, the EP is interrupted (FACTS §5.4)
 *   +0x40 MSI          8 bytes: the EP raises MSI vector 1, the RC's poller wakes
 * 0x10000 RC memory    memory_size bytes of root-complex RAM (rings and buffers), reached by the
 *                      EP only through its outbound window at bus_base
 * </pre>
 */
public final class EpfSimLayout {

  public static final long MAGIC = 0x314D534650455652L; // "RVEPFSM1"
  public static final int VERSION = 1;

  public static final long MAGIC_OFFSET = 0x00;
  public static final long VERSION_OFFSET = 0x08;
  public static final long REGISTERS_OFFSET = 0x0C;
  public static final long MEMORY_SIZE_OFFSET = 0x10;
  public static final long BUS_BASE_OFFSET = 0x18;
  public static final long EP_STARTED_OFFSET = 0x20;
  public static final long NOTIFY_MODE_OFFSET = 0x24;
  public static final long POLL_US_OFFSET = 0x28;

  public static final long BAR0_OFFSET = 0x1000;
  public static final long BAR0_SIZE = 0x1000;
  public static final long EP_DOORBELL_OFFSET = 0x2000;
  public static final long MSI_OFFSET = 0x2040;
  public static final long RC_MEMORY_OFFSET = 0x10000;

  public static final int NOTIFY_DOORBELL = 0;
  public static final int NOTIFY_POLLED = 1;

  /** Registers in BAR0: enough for {@link VirtioRegisters#MAX_QUEUES} queues. */
  public static final int REGISTERS = VirtioRegisters.count(VirtioRegisters.MAX_QUEUES);

  private EpfSimLayout() {}

  public static long fileSize(long memorySize) {
    return RC_MEMORY_OFFSET + memorySize;
  }
}
