package io.reactorvirtio.transport.ntb.sim;

import static io.reactorvirtio.transport.ntb.sim.NtbSimFile.U32;

import io.reactorvirtio.virtio.notify.FutexDoorbell;
import io.reactorvirtio.virtio.spi.Doorbell;
import java.lang.foreign.MemorySegment;

/**
 * {@code peer_db_set(1 << bit)} on the simulated NTB: ORs the bit into the target port's {@code db}
 * (atomic, full fence), then, unless the target masks that bit, rings the target's futex doorbell
 * (the "interrupt"). The bit is a bit number: bit 0 rings {@code 0x1} (FACTS §7.7).
 */
final class NtbSimDoorbell implements Doorbell {

  private final MemorySegment segment;
  private final long dbOffset;
  private final long maskOffset;
  private final int mask;
  private final FutexDoorbell interrupt;

  NtbSimDoorbell(MemorySegment segment, int targetPort, int bit) {
    NtbSimFile.checkQueue(bit);
    this.segment = segment;
    this.dbOffset = NtbSimLayout.port(targetPort, NtbSimLayout.DB);
    this.maskOffset = NtbSimLayout.port(targetPort, NtbSimLayout.DB_MASK);
    this.mask = 1 << bit;
    this.interrupt = new FutexDoorbell(segment, NtbSimLayout.port(targetPort, NtbSimLayout.DOORBELL));
  }

  /** The bit mask this doorbell sets, {@code 1 << bit}. */
  int mask() {
    return mask;
  }

  @Override
  public void ring() {
    int unused = (int) U32.getAndBitwiseOr(segment, dbOffset, mask);
    if (((int) U32.getVolatile(segment, maskOffset) & mask) == 0) {
      interrupt.ring();
    }
  }

  @Override
  public String toString() {
    return "NtbSimDoorbell[db 0x" + Long.toHexString(dbOffset) + " bits 0x" + Integer.toHexString(mask) + "]";
  }
}
