package io.reactorvirtio.transport.ntb.sim;

import static io.reactorvirtio.transport.ntb.sim.NtbSimLayout.*;

import io.reactorvirtio.virtio.memory.SharedRegion;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Typed access to the simulated NTB file: header writing (HOST1) and validation (HOST2). */
final class NtbSimFile {

  static final VarHandle U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
  static final VarHandle U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

  private NtbSimFile() {}

  /** Writes the header; the magic last, with release, so a reader that sees it sees the rest. */
  static void writeHeader(MemorySegment seg, NtbSimOptions options) {
    U32.set(seg, VERSION_OFFSET, VERSION);
    U32.set(seg, SPAD_COUNT_OFFSET, options.scratchpadCount());
    U32.set(seg, DB_COUNT_OFFSET, options.doorbellCount());
    U32.set(seg, MW_ALIGN_OFFSET, MW_ALIGN);
    U64.set(seg, MW0_OFFSET_OFFSET, MW0_OFFSET);
    U64.set(seg, MW0_SIZE_OFFSET, options.mwSize());
    U64.set(seg, MW0_BUS_BASE_OFFSET, options.mwBusBase());
    U64.setRelease(seg, MAGIC_OFFSET, MAGIC);
  }

  /**
   * Checks a peer-written header against the file it is in and returns the options it describes.
   *
   * @throws IllegalStateException naming the first bad field and its value
   */
  static NtbSimOptions validate(SharedRegion region) {
    MemorySegment seg = region.segment();
    long fileSize = seg.byteSize();
    String where = "simulated NTB file " + region.path() + ": ";
    if (fileSize < MW0_OFFSET + MW_ALIGN) {
      throw new IllegalStateException(where + "file size " + fileSize
          + " is smaller than the header (" + MW0_OFFSET + ") plus one " + MW_ALIGN + "-byte page");
    }
    long magic = (long) U64.getAcquire(seg, MAGIC_OFFSET);
    if (magic != MAGIC) {
      throw new IllegalStateException(where + "magic 0x" + Long.toHexString(magic)
          + " is not 0x" + Long.toHexString(MAGIC) + " (\"RVNTBSM1\"): not a simulated NTB file,"
          + " or HOST1 has not finished creating it");
    }
    int version = (int) U32.get(seg, VERSION_OFFSET);
    if (version != VERSION) {
      throw new IllegalStateException(where + "version " + version + " is not " + VERSION);
    }
    int spads = (int) U32.get(seg, SPAD_COUNT_OFFSET);
    if (spads != SPAD_COUNT) {
      throw new IllegalStateException(where + "spad_count " + Integer.toUnsignedString(spads)
          + " is not " + SPAD_COUNT);
    }
    int dbs = (int) U32.get(seg, DB_COUNT_OFFSET);
    if (dbs != DB_COUNT) {
      throw new IllegalStateException(where + "db_count " + Integer.toUnsignedString(dbs)
          + " is not " + DB_COUNT);
    }
    int align = (int) U32.get(seg, MW_ALIGN_OFFSET);
    if (align != MW_ALIGN) {
      throw new IllegalStateException(where + "mw_align " + Integer.toUnsignedString(align)
          + " is not " + MW_ALIGN);
    }
    long mwOffset = (long) U64.get(seg, MW0_OFFSET_OFFSET);
    if (mwOffset != MW0_OFFSET) {
      throw new IllegalStateException(where + "mw0_offset 0x" + Long.toHexString(mwOffset)
          + " is not 0x" + Long.toHexString(MW0_OFFSET));
    }
    long mwSize = (long) U64.get(seg, MW0_SIZE_OFFSET);
    if (mwSize <= 0 || mwSize % MW_ALIGN != 0 || mwSize != fileSize - MW0_OFFSET) {
      throw new IllegalStateException(where + "mw0_size " + Long.toUnsignedString(mwSize)
          + " does not match the file: it must be a positive multiple of " + MW_ALIGN
          + " equal to file size " + fileSize + " - mw0_offset " + MW0_OFFSET);
    }
    long busBase = (long) U64.get(seg, MW0_BUS_BASE_OFFSET);
    if (busBase % MW_ALIGN != 0 || Long.compareUnsigned(busBase + mwSize - 1, busBase) < 0) {
      throw new IllegalStateException(where + "mw0_bus_base 0x" + Long.toHexString(busBase)
          + " is not " + MW_ALIGN + "-byte aligned or wraps past 2^64 with mw0_size " + mwSize);
    }
    return new NtbSimOptions(mwSize, busBase, spads, dbs);
  }

  static void setLinkEnabled(MemorySegment seg, int port, boolean enabled) {
    U32.setRelease(seg, NtbSimLayout.port(port, LINK_ENABLE), enabled ? 1 : 0);
  }

  static boolean linkEnabled(MemorySegment seg, int port) {
    return (int) U32.getAcquire(seg, NtbSimLayout.port(port, LINK_ENABLE)) != 0;
  }

  static void checkQueue(int queue) {
    if (queue < 0 || queue >= DB_COUNT) {
      throw new IllegalArgumentException("queue index " + queue + " has no doorbell bit: the"
          + " simulated NTB has " + DB_COUNT + " (queues 0.." + (DB_COUNT - 1) + ")");
    }
  }
}
