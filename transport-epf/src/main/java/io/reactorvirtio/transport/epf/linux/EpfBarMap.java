package io.reactorvirtio.transport.epf.linux;

import io.reactorvirtio.virtio.transport.VirtioRegisters;

/**
 * Where the endpoint function puts things in its BARs, as the root complex sees them: the virtio
 * register block ({@link VirtioRegisters#count(int) VirtioRegisters.count(queues)} little-endian
 * 32-bit registers at {@code registerOffset} of BAR {@code registerBar}) and the doorbell register
 * (32 bits at {@code doorbellOffset} of BAR {@code doorbellBar}; the root complex writes the queue
 * index there). Both sides must agree on it; it is not negotiated.
 *
 * <p>The doorbell corresponds to the EP doorbell of {@code pci-epf-test} (FACTS §5.4: DB_BAR,
 * DB_OFFSET); see {@link LinuxEpfRc#deviceDoorbell(int)} for how its data differs.
 *
 * @param registerBar the BAR (0–5) holding the register block
 * @param registerOffset byte offset of register 0 in that BAR, 4-byte aligned
 * @param queues number of virtqueues (1–{@link VirtioRegisters#MAX_QUEUES})
 * @param doorbellBar the BAR (0–5) holding the doorbell register (may equal {@code registerBar})
 * @param doorbellOffset byte offset of the doorbell register in that BAR, 4-byte aligned
 */
public record EpfBarMap(int registerBar, long registerOffset, int queues, int doorbellBar,
    long doorbellOffset) {

  /** Checks ranges, alignment, and that the doorbell does not overlap the register block. */
  public EpfBarMap {
    checkBar("registerBar", registerBar);
    checkBar("doorbellBar", doorbellBar);
    if (queues < 1 || queues > VirtioRegisters.MAX_QUEUES) {
      throw new IllegalArgumentException(
          "queues must be 1-" + VirtioRegisters.MAX_QUEUES + ": " + queues);
    }
    if (registerOffset < 0 || registerOffset % 4 != 0) {
      throw new IllegalArgumentException("registerOffset must be >= 0 and 4-byte aligned: " + registerOffset);
    }
    if (doorbellOffset < 0 || doorbellOffset % 4 != 0) {
      throw new IllegalArgumentException("doorbellOffset must be >= 0 and 4-byte aligned: " + doorbellOffset);
    }
    if (doorbellBar == registerBar && doorbellOffset >= registerOffset
        && doorbellOffset < registerOffset + registerBlockBytes(queues)) {
      throw new IllegalArgumentException("the doorbell at BAR" + doorbellBar + "+0x"
          + Long.toHexString(doorbellOffset) + " lies inside the register block (0x"
          + Long.toHexString(registerOffset) + ", " + registerBlockBytes(queues) + " bytes)");
    }
  }

  /** Bytes of a register block for {@code queues} queues: 4 × {@link VirtioRegisters#count}. */
  public static long registerBlockBytes(int queues) {
    return 4L * VirtioRegisters.count(queues);
  }

  /** The number of 32-bit registers in the block. */
  public int registerCount() {
    return VirtioRegisters.count(queues);
  }

  private static void checkBar(String what, int bar) {
    if (bar < 0 || bar >= PciSysfsDevice.BAR_COUNT) {
      throw new IllegalArgumentException(what + " must be 0-5: " + bar);
    }
  }
}
