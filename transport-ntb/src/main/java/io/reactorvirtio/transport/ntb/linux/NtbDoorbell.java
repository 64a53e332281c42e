package io.reactorvirtio.transport.ntb.linux;

import io.reactorvirtio.virtio.spi.Doorbell;
import java.nio.file.Path;

/**
 * Rings one peer doorbell bit through ntb_tool: {@code echo "s 0x<1 << bit>" > peer_db}.
 *
 * <p>The bit is the queue index used as a bit <em>number</em>: queue q rings {@code 1L << q}. (The
 * RFC's {@code ntb_virtio} called {@code ntb_peer_db_set(ndev, vq->index)}, passing the index as a
 * mask, so queue 0 rang nothing and queue 3 rang bits 0 and 1 — FACTS §7.7.) On {@code
 * ntb_hw_epf} only the lowest set bit is delivered, which a single-bit doorbell satisfies.
 *
 * <p>Each ring is one open/write/close of a debugfs file (a few microseconds of syscalls, no
 * sleeping in the kernel); it does not block in the {@link Doorbell} sense.
 */
public final class NtbDoorbell implements Doorbell {

  private final Path peerDb;
  private final int bit;
  private final String command;

  /**
   * @param peerDb the {@code peer_db} file
   * @param bit the doorbell bit number, 0–63
   */
  NtbDoorbell(Path peerDb, int bit) {
    if (bit < 0 || bit > 63) {
      throw new IllegalArgumentException("doorbell bit must be 0-63: " + bit);
    }
    this.peerDb = peerDb;
    this.bit = bit;
    this.command = "s 0x" + Long.toHexString(1L << bit) + "\n";
  }

  /** The doorbell bit number this rings. */
  public int bit() {
    return bit;
  }

  /** The bit mask written, {@code 1L << bit()}. */
  public long mask() {
    return 1L << bit;
  }

  /**
   * Writes {@code "s 0x<mask>\n"} to {@code peer_db}.
   *
   * @throws NtbToolException if the write fails (ntb_tool unloaded, link gone)
   */
  @Override
  public void ring() {
    DebugfsFiles.write(peerDb, command, "ringing NTB peer doorbell bit " + bit);
  }

  @Override
  public String toString() {
    return "NtbDoorbell[bit " + bit + " via " + peerDb + "]";
  }
}
