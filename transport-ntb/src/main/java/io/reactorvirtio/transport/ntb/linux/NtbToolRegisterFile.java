package io.reactorvirtio.transport.ntb.linux;

import io.reactorvirtio.virtio.spi.RegisterFile;
import java.util.Objects;

/**
 * A {@link RegisterFile} over a bank of NTB scratchpads as ntb_tool exposes them ({@code spadN} or
 * {@code peerK/spadN}): register {@code i} is scratchpad {@code i}.
 *
 * <p><strong>Slow; for the handshake only.</strong> Every {@link #read} and {@link #write} is an
 * open, one read or write, and close of a debugfs file (several system calls and, on hardware, one
 * MMIO access across the link), i.e. microseconds, not nanoseconds. That suits the virtio status
 * and feature negotiation; it must not be on a data path (rings live in the memory window, kicks
 * are doorbells).
 *
 * <p>Ordering: each call returns only after the kernel's {@code ntb_spad_read}/{@code
 * ntb_peer_spad_write} completed, so calls take effect in program order, which is what the
 * acquire/release contract of {@link RegisterFile} asks for (inference from the code path; not
 * observed on hardware).
 */
public final class NtbToolRegisterFile implements RegisterFile {

  private final ScratchpadAccess scratchpads;

  /**
   * @param scratchpads the bank, e.g. {@link NtbToolPort#peerScratchpads(int)}
   */
  public NtbToolRegisterFile(ScratchpadAccess scratchpads) {
    this.scratchpads = Objects.requireNonNull(scratchpads, "scratchpads");
  }

  @Override
  public int count() {
    return scratchpads.count();
  }

  /**
   * Reads scratchpad {@code index} (a debugfs read).
   *
   * @throws NtbToolException if the file cannot be read or parsed
   */
  @Override
  public int read(int index) {
    return scratchpads.read(index);
  }

  /**
   * Writes scratchpad {@code index} (a debugfs write).
   *
   * @throws NtbToolException if the write fails
   */
  @Override
  public void write(int index, int value) {
    scratchpads.write(index, value);
  }

  @Override
  public String toString() {
    return "NtbToolRegisterFile[" + scratchpads + "]";
  }
}
