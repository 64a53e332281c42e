package io.reactorvirtio.transport.openamp;

import static io.reactorvirtio.transport.openamp.OpenAmpLayout.*;
import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U32_UNALIGNED;

import io.reactorvirtio.virtio.internal.ring.SplitRingLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A resource table read from the shared file, validated: the file may have been written by the
 * peer, or be stale, so nothing in it is trusted before {@link #parse} has checked it (see
 * {@link OpenAmpLayout} for the bytes).
 *
 * @param version always 1
 * @param entries the table's {@code num}
 * @param vdevOffset file offset of the chosen {@code fw_rsc_vdev} entry
 * @param vdevId its virtio device id
 * @param status its status byte at the time of parsing
 * @param vrings its vring entries (at least two)
 */
public record ResourceTable(int version, int entries, long vdevOffset, int vdevId, int notifyId, int dfeatures,
    int gfeatures, int configLen, int status, List<Vring> vrings) {

  /** One {@code fw_rsc_vdev_vring}: a legacy ring at file offset {@code da}. */
  public record Vring(int index, long da, int align, int num, int notifyId) {}

  public ResourceTable {
    vrings = List.copyOf(vrings);
  }

  /** Bound on {@code num} (the header and offsets must fit in a page anyway). */
  public static final int MAX_ENTRIES = 1024;

  /**
   * Parses and validates the table at the start of {@code file}, choosing the first vdev entry of
   * id {@code vdevId} (7 for rpmsg).
   *
   * @throws ResourceTableException naming the first field that breaks a rule and its value
   */
  public static ResourceTable parse(MemorySegment file, int vdevId) {
    long size = file.byteSize();
    if (size < ENTRY_OFFSETS_OFFSET) {
      throw new ResourceTableException("file size", size, "too small for a resource table header");
    }
    int version = file.get(U32_UNALIGNED, VERSION_OFFSET);
    if (version != VERSION) {
      throw new ResourceTableException("ver", u(version), "only version 1 is supported");
    }
    long num = u(file.get(U32_UNALIGNED, NUM_OFFSET));
    if (num < 1 || num > MAX_ENTRIES) {
      throw new ResourceTableException("num", num, "must be 1.." + MAX_ENTRIES);
    }
    long headerEnd = ENTRY_OFFSETS_OFFSET + 4 * num;
    if (headerEnd > size) {
      throw new ResourceTableException("num", num, "offsets end at " + headerEnd + ", past the file (" + size + ")");
    }
    long chosen = -1;
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < num; i++) {
      String field = "offset[" + i + "]";
      long off = u(file.get(U32_UNALIGNED, ENTRY_OFFSETS_OFFSET + 4L * i));
      if (off < headerEnd || off + 4 > size) {
        throw new ResourceTableException(field, off, "entry outside the table and file (header ends at "
            + headerEnd + ", file size " + size + ")");
      }
      if ((off & 3) != 0) {
        throw new ResourceTableException(field, off, "not 4-byte aligned");
      }
      long type = u(file.get(U32_UNALIGNED, off));
      if (type != RSC_VDEV) {
        continue; // carveouts, traces, vendor entries: not ours to interpret
      }
      if (off + VDEV_HEADER_SIZE > size) {
        throw new ResourceTableException(field, off, "vdev entry runs past the file (" + size + ")");
      }
      long id = u(file.get(U32_UNALIGNED, off + VDEV_ID));
      ids.add(id);
      if (id == u(vdevId) && chosen < 0) {
        chosen = off;
      }
    }
    if (chosen < 0) {
      throw new ResourceTableException("vdev.id", ids.isEmpty() ? -1 : ids.get(0),
          "no vdev entry with id " + vdevId + " (vdev ids present: " + ids + ")");
    }
    long v = chosen;
    int numVrings = file.get(ValueLayout.JAVA_BYTE, v + VDEV_NUM_VRINGS) & 0xFF;
    if (numVrings < 2) {
      throw new ResourceTableException("vdev.num_of_vrings", numVrings, "need at least 2 (rx and tx)");
    }
    long configLen = u(file.get(U32_UNALIGNED, v + VDEV_CONFIG_LEN));
    long entryEnd = vringEntry(v, numVrings) + configLen;
    if (entryEnd > size) {
      throw new ResourceTableException("vdev.config_len", configLen, "vdev entry with " + numVrings
          + " vrings and its config ends at " + entryEnd + ", past the file (" + size + ")");
    }
    List<Vring> vrings = new ArrayList<>();
    for (int i = 0; i < numVrings; i++) {
      long e = vringEntry(v, i);
      String p = "vring[" + i + "].";
      long da = u(file.get(U32_UNALIGNED, e + VRING_DA));
      long align = u(file.get(U32_UNALIGNED, e + VRING_ALIGN));
      long n = u(file.get(U32_UNALIGNED, e + VRING_NUM));
      long notify = u(file.get(U32_UNALIGNED, e + VRING_NOTIFYID));
      if (n == 0 || n > SplitRingLayout.MAX_QUEUE_SIZE || Long.bitCount(n) != 1) {
        throw new ResourceTableException(p + "num", n, "must be a power of two, 1..32768");
      }
      if (align < SplitRingLayout.DESC_ALIGN || align > FILE_SIZE || Long.bitCount(align) != 1) {
        throw new ResourceTableException(p + "align", align, "must be a power of two, 16.." + FILE_SIZE);
      }
      if (da == ADDR_ANY) {
        throw new ResourceTableException(p + "da", da, "FW_RSC_ADDR_ANY: this platform places rings itself");
      }
      if (da % align != 0) {
        throw new ResourceTableException(p + "da", da, "not aligned to vring align " + align);
      }
      long bytes = ringBytes((int) n, (int) align);
      if (da + bytes > size) {
        throw new ResourceTableException(p + "da", da, "ring of " + bytes + " bytes runs past the file (" + size + ")");
      }
      if (da < entryEnd) {
        throw new ResourceTableException(p + "da", da, "ring overlaps the resource table (ends at " + entryEnd + ")");
      }
      for (Vring o : vrings) {
        long ob = ringBytes(o.num(), o.align());
        if (da < o.da() + ob && o.da() < da + bytes) {
          throw new ResourceTableException(p + "da", da, "ring overlaps vring[" + o.index() + "]");
        }
      }
      vrings.add(new Vring(i, da, (int) align, (int) n, (int) notify));
    }
    return new ResourceTable(version, (int) num, v, vdevId, file.get(U32_UNALIGNED, v + VDEV_NOTIFYID),
        file.get(U32_UNALIGNED, v + VDEV_DFEATURES), file.get(U32_UNALIGNED, v + VDEV_GFEATURES), (int) configLen,
        file.get(ValueLayout.JAVA_BYTE, v + VDEV_STATUS) & 0xFF, vrings);
  }

  private static long u(int v) {
    return Integer.toUnsignedLong(v);
  }
}
