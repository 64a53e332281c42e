package io.reactorvirtio.transport.ntb.sim;

/**
 * Settings of a simulated NTB, chosen by HOST1 when it creates the file (HOST2 reads them from the
 * header).
 *
 * <pre>{@code
 * NtbSimOptions opts = NtbSimOptions.defaults().withMwSize(8 << 20).withMwBusBase(0x80_0000_0000L);
 * }</pre>
 *
 * @param mwSize bytes of memory window 0 (HOST1's inbound window): a positive multiple of {@link
 *     NtbSimLayout#MW_ALIGN}, at most {@link #MAX_MW_SIZE}
 * @param mwBusBase the bus address at which HOST2 sees MW0 byte 0: {@link NtbSimLayout#MW_ALIGN}
 *     aligned, and {@code mwBusBase + mwSize} must not wrap past 2^64
 * @param scratchpadCount fixed at {@link NtbSimLayout#SPAD_COUNT} (128)
 * @param doorbellCount fixed at {@link NtbSimLayout#DB_COUNT} (32)
 */
public record NtbSimOptions(long mwSize, long mwBusBase, int scratchpadCount, int doorbellCount) {

  /** Default MW0 size: 4 MiB (rings and 2 × 256 rpmsg buffers of 512 bytes fit with room). */
  public static final long DEFAULT_MW_SIZE = 4L << 20;

  /** Default MW0 bus base: far from 0, so that a file offset used as a bus address is refused. */
  public static final long DEFAULT_MW_BUS_BASE = 0x0000_0040_0000_0000L;

  /** The largest MW0: 1 GiB. */
  public static final long MAX_MW_SIZE = 1L << 30;

  /**
   * @throws IllegalArgumentException naming the offending setting
   */
  public NtbSimOptions {
    if (mwSize <= 0 || mwSize > MAX_MW_SIZE || mwSize % NtbSimLayout.MW_ALIGN != 0) {
      throw new IllegalArgumentException("mwSize " + mwSize + " must be a positive multiple of "
          + NtbSimLayout.MW_ALIGN + " and at most " + MAX_MW_SIZE);
    }
    if (mwBusBase % NtbSimLayout.MW_ALIGN != 0) {
      throw new IllegalArgumentException("mwBusBase 0x" + Long.toHexString(mwBusBase)
          + " must be " + NtbSimLayout.MW_ALIGN + "-byte aligned");
    }
    if (Long.compareUnsigned(mwBusBase + mwSize - 1, mwBusBase) < 0) {
      throw new IllegalArgumentException("mwBusBase 0x" + Long.toHexString(mwBusBase)
          + " + mwSize " + mwSize + " wraps past 2^64");
    }
    if (scratchpadCount != NtbSimLayout.SPAD_COUNT) {
      throw new IllegalArgumentException("scratchpadCount " + scratchpadCount + " must be "
          + NtbSimLayout.SPAD_COUNT + " (VirtioRegisters needs up to 100)");
    }
    if (doorbellCount != NtbSimLayout.DB_COUNT) {
      throw new IllegalArgumentException("doorbellCount " + doorbellCount + " must be "
          + NtbSimLayout.DB_COUNT);
    }
  }

  /** 4 MiB at bus 0x40_0000_0000, 128 scratchpads, 32 doorbell bits. */
  public static NtbSimOptions defaults() {
    return new NtbSimOptions(DEFAULT_MW_SIZE, DEFAULT_MW_BUS_BASE, NtbSimLayout.SPAD_COUNT,
        NtbSimLayout.DB_COUNT);
  }

  /** A copy with another MW0 size. */
  public NtbSimOptions withMwSize(long size) {
    return new NtbSimOptions(size, mwBusBase, scratchpadCount, doorbellCount);
  }

  /** A copy with another MW0 bus base. */
  public NtbSimOptions withMwBusBase(long busBase) {
    return new NtbSimOptions(mwSize, busBase, scratchpadCount, doorbellCount);
  }
}
