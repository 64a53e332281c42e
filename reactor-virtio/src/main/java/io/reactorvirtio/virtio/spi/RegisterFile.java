package io.reactorvirtio.virtio.spi;

/**
 * A block of 32-bit registers that both sides of a link read and write: the register block an
 * endpoint function exposes in a BAR, or an NTB's scratchpads. Indexed from 0; the meaning of each
 * index is {@link io.reactorvirtio.virtio.transport.VirtioRegisters}'s.
 *
 * <p>Memory ordering: {@link #write} has release semantics and {@link #read} acquire semantics, so
 * a side that reads a value also sees every register the writer wrote before it (the status
 * handshake depends on this). Implementations must not block for longer than a device register
 * access; the link calls them from its poller thread.
 */
public interface RegisterFile {

  /** How many registers there are. */
  int count();

  /** Reads register {@code index} (acquire). */
  int read(int index);

  /** Writes register {@code index} (release). */
  void write(int index, int value);
}
