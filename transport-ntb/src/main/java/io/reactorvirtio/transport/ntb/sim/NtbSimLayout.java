package io.reactorvirtio.transport.ntb.sim;

/**
 * Layout of the simulated NTB's shared file: what NTB hardware holds, no more. Little-endian; every
 * offset is from the start of the file.
 *
 * <pre>
 *  offset  size  field          meaning
 *  0x000   u64   magic          "RVNTBSM1", written last by HOST1 (release)
 *  0x008   u32   version        1
 *  0x00C   u32   spad_count     128 (pci-epf-vntb's spad_count allows it)
 *  0x010   u32   db_count       32 valid doorbell bits (db_valid_mask = 0xFFFF_FFFF)
 *  0x014   u32   mw_align       4096: MW0 address and size alignment, as ntb_hw_epf reports
 *  0x018   u64   mw0_offset     0x1000: file offset of MW0
 *  0x020   u64   mw0_size       bytes of MW0, a multiple of mw_align; file size = mw0_offset + mw0_size
 *  0x028   u64   mw0_bus_base   the bus address at which HOST2 sees MW0 byte 0 (mw_align-aligned)
 *  0x100   port 0 = HOST1 (the virtio driver side, owner of MW0), 0x100 bytes:
 *          +0x00 u32 link_enable  1 while HOST1 has the link enabled (ntb_link_enable)
 *          +0x40 u32 db           latched doorbell bits, set by HOST2's peer_db_set
 *          +0x80 8 B doorbell     futex event count (FutexDoorbellLayout): the "interrupt"
 *          +0xC0 u32 db_mask      set bits suppress the interrupt (not the latch)
 *  0x200   port 1 = HOST2 (the vhost device side), same block
 *  0x300   u32 × 128  scratchpads, shared by both ports
 *  0x1000  MW0: HOST1's inbound memory window (HOST1's memory that HOST2 reaches)
 * </pre>
 *
 * <p>Each per-port word sits in a 64-byte cache line of its own. Doorbell bit {@code q} is queue
 * {@code q}: a ring ORs {@code 1 << q} into the peer's {@code db} (a bit <em>number</em>, not the
 * RFC's index-as-mask, FACTS §7.7).
 */
public final class NtbSimLayout {

  /** "RVNTBSM1" read as a little-endian u64. */
  public static final long MAGIC = 0x314D53424E545652L;

  /** The layout version this code reads and writes. */
  public static final int VERSION = 1;

  public static final long MAGIC_OFFSET = 0x000;
  public static final long VERSION_OFFSET = 0x008;
  public static final long SPAD_COUNT_OFFSET = 0x00C;
  public static final long DB_COUNT_OFFSET = 0x010;
  public static final long MW_ALIGN_OFFSET = 0x014;
  public static final long MW0_OFFSET_OFFSET = 0x018;
  public static final long MW0_SIZE_OFFSET = 0x020;
  public static final long MW0_BUS_BASE_OFFSET = 0x028;

  /** Port index of HOST1 (driver side, owner of MW0). */
  public static final int HOST1 = 0;

  /** Port index of HOST2 (device side). */
  public static final int HOST2 = 1;

  /** Where port 0's block starts; port {@code p} starts at {@code PORTS_OFFSET + p * PORT_STRIDE}. */
  public static final long PORTS_OFFSET = 0x100;

  /** Bytes per port block. */
  public static final long PORT_STRIDE = 0x100;

  /** Offsets inside a port block. */
  public static final long LINK_ENABLE = 0x00;
  public static final long DB = 0x40;
  public static final long DOORBELL = 0x80;
  public static final long DB_MASK = 0xC0;

  /** The shared scratchpads. */
  public static final long SPADS_OFFSET = 0x300;

  /** Number of scratchpads (fixed). */
  public static final int SPAD_COUNT = 128;

  /** Number of doorbell bits (fixed): queue indices 0..31. */
  public static final int DB_COUNT = 32;

  /** MW0 address and size alignment (fixed; what ntb_hw_epf reports). */
  public static final int MW_ALIGN = 4096;

  /** Where MW0 starts in the file; everything before it is the header and registers. */
  public static final long MW0_OFFSET = 0x1000;

  private NtbSimLayout() {}

  /** File offset of {@code field} (a {@code LINK_ENABLE}/{@code DB}/... offset) of port {@code port}. */
  public static long port(int port, long field) {
    if (port != HOST1 && port != HOST2) {
      throw new IllegalArgumentException("NTB port must be 0 (HOST1) or 1 (HOST2): " + port);
    }
    return PORTS_OFFSET + port * PORT_STRIDE + field;
  }

  /** File size for an MW0 of {@code mwSize} bytes. */
  public static long fileSize(long mwSize) {
    return MW0_OFFSET + mwSize;
  }
}
