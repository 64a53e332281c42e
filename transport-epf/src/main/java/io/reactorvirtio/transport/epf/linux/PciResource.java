package io.reactorvirtio.transport.epf.linux;

/**
 * One line of a PCI device's sysfs {@code resource} file: {@code "0x<start> 0x<end> 0x<flags>"}.
 * Lines 0–5 are the BARs, line 6 the expansion ROM. An unused BAR has start, end and flags 0.
 *
 * @param index the line number (BAR number for 0–5)
 * @param start the first bus address, 0 if unused
 * @param end the last bus address (inclusive)
 * @param flags the kernel's {@code IORESOURCE_*} flags
 */
public record PciResource(int index, long start, long end, long flags) {

  /** {@code IORESOURCE_IO}: an I/O-port BAR (cannot be mapped). */
  public static final long IORESOURCE_IO = 0x100;

  /** {@code IORESOURCE_MEM}: a memory BAR. */
  public static final long IORESOURCE_MEM = 0x200;

  /** {@code IORESOURCE_PREFETCH}: prefetchable (a {@code resourceN_wc} file may exist). */
  public static final long IORESOURCE_PREFETCH = 0x2000;

  /** {@code IORESOURCE_MEM_64}: a 64-bit memory BAR (it also occupies the next BAR slot). */
  public static final long IORESOURCE_MEM_64 = 0x0010_0000;

  /** Whether the BAR is implemented: start ≠ 0. */
  public boolean present() {
    return start != 0;
  }

  /** {@code end − start + 1} when present, else 0. */
  public long length() {
    return present() ? end - start + 1 : 0;
  }

  /** A memory BAR ({@link #IORESOURCE_MEM}). */
  public boolean isMemory() {
    return (flags & IORESOURCE_MEM) != 0;
  }

  /** An I/O-port BAR ({@link #IORESOURCE_IO}). */
  public boolean isIo() {
    return (flags & IORESOURCE_IO) != 0;
  }

  /** Prefetchable ({@link #IORESOURCE_PREFETCH}). */
  public boolean isPrefetchable() {
    return (flags & IORESOURCE_PREFETCH) != 0;
  }

  /** 64-bit ({@link #IORESOURCE_MEM_64}). */
  public boolean is64Bit() {
    return (flags & IORESOURCE_MEM_64) != 0;
  }

  @Override
  public String toString() {
    if (!present()) {
      return "PciResource[" + index + ": unused]";
    }
    return "PciResource[" + index + ": 0x" + Long.toHexString(start) + "-0x" + Long.toHexString(end)
        + " (" + length() + " bytes)" + (isIo() ? " io" : "") + (isMemory() ? " mem" : "")
        + (is64Bit() ? " 64-bit" : "") + (isPrefetchable() ? " prefetchable" : "") + "]";
  }
}
