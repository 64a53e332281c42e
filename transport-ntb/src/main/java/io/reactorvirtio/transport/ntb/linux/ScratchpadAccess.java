package io.reactorvirtio.transport.ntb.linux;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A bank of 32-bit NTB scratchpad registers: the local ones, or a peer's. Implemented over
 * ntb_tool's debugfs files ({@link NtbToolPort#localScratchpads()}, {@link
 * NtbToolPort#peerScratchpads(int)}), in memory ({@link #inMemory(int)}), and later over the
 * simulated NTB's shared file, so {@link NtbScratchpads} runs unchanged on all of them.
 */
public interface ScratchpadAccess {

  /** Number of scratchpads in the bank. */
  int count();

  /**
   * Reads scratchpad {@code index}.
   *
   * @throws IndexOutOfBoundsException if index is not below {@link #count()}
   */
  int read(int index);

  /**
   * Writes scratchpad {@code index}.
   *
   * @throws IndexOutOfBoundsException if index is not below {@link #count()}
   */
  void write(int index, int value);

  /** A bank of {@code count} scratchpads in this JVM, initially 0; thread-safe (volatile cells). */
  static ScratchpadAccess inMemory(int count) {
    AtomicIntegerArray cells = new AtomicIntegerArray(count);
    return new ScratchpadAccess() {
      @Override
      public int count() {
        return cells.length();
      }

      @Override
      public int read(int index) {
        return cells.get(index);
      }

      @Override
      public void write(int index, int value) {
        cells.set(index, value);
      }

      @Override
      public String toString() {
        return "ScratchpadAccess.inMemory" + cells;
      }
    };
  }
}
