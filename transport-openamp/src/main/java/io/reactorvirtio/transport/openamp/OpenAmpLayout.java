package io.reactorvirtio.transport.openamp;

import static io.reactorvirtio.virtio.internal.ring.LittleEndian.U32_UNALIGNED;

import io.reactorvirtio.virtio.internal.ring.SplitRingLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The shared file of OpenAMP's Linux user-space platform ({@code openamp.shm}, FACTS §9) and the
 * remoteproc resource table at its start (FACTS §4). Every "device address" (vring {@code da},
 * descriptor {@code addr}) is a byte offset into this file. Little-endian, packed.
 *
 * <pre>
 * file (0x80000 bytes, mode 0600, nobody unlinks it)
 * 0x00000 +--------------------------------------------------+
 *         | resource table, 88 bytes (written by the socket   |
 *         | server before it listens)                         |
 * 0x04000 | vring0: desc 0x4000, avail 0x5000, used 0x6000    |  device -&gt; driver (driver's RX)
 * 0x08000 | vring1: desc 0x8000, avail 0x9000, used 0xA000    |  driver -&gt; device (driver's TX)
 * 0x10000 | RX buffers: 256 x 512 B, buffer i at 0x10000+i*512 |  posted by the driver on vring0
 * 0x30000 | TX buffers: 256 x 512 B, carved from here upwards  |  driver's sends on vring1
 * 0x50000 | unused                                            |
 * 0x80000 +--------------------------------------------------+
 *
 * resource table                           fw_rsc_vdev (at offset[0] = 0x14)
 * 0x00 ver       u32  1                    +0x00 type        u32  3 (RSC_VDEV)
 * 0x04 num       u32  1                    +0x04 id          u32  7 (rpmsg)
 * 0x08 reserved  u32 x2                    +0x08 notifyid    u32  0
 * 0x10 offset[0] u32  0x14                 +0x0C dfeatures   u32  0x1 (VIRTIO_RPMSG_F_NS)
 *                                          +0x10 gfeatures   u32  written by the driver
 * fw_rsc_vdev_vring (20 bytes, at +0x1C)   +0x14 config_len  u32  0
 * +0x00 da       u32  ring address         +0x18 status      u8   driver writes 0x04
 * +0x04 align    u32  0x1000               +0x19 num_vrings  u8   2
 * +0x08 num      u32  256                  +0x1A reserved    u8 x2
 * +0x0C notifyid u32  1, 2                 +0x1C vring[0], +0x30 vring[1]
 * +0x10 reserved u32  (Linux: pa)
 * </pre>
 */
public final class OpenAmpLayout {

  private OpenAmpLayout() {}

  /** Size of the file, grown to this by its first opener. */
  public static final long FILE_SIZE = 0x80000;

  // Resource table header.
  public static final int VERSION = 1;
  public static final long VERSION_OFFSET = 0x00;
  public static final long NUM_OFFSET = 0x04;
  public static final long RESERVED_OFFSET = 0x08;
  public static final long ENTRY_OFFSETS_OFFSET = 0x10;

  // Resource types.
  public static final int RSC_CARVEOUT = 0;
  public static final int RSC_DEVMEM = 1;
  public static final int RSC_TRACE = 2;
  public static final int RSC_VDEV = 3;

  // fw_rsc_vdev, offsets from the entry's start (its type word).
  public static final long VDEV_TYPE = 0x00;
  public static final long VDEV_ID = 0x04;
  public static final long VDEV_NOTIFYID = 0x08;
  public static final long VDEV_DFEATURES = 0x0C;
  public static final long VDEV_GFEATURES = 0x10;
  public static final long VDEV_CONFIG_LEN = 0x14;
  public static final long VDEV_STATUS = 0x18;
  public static final long VDEV_NUM_VRINGS = 0x19;
  public static final long VDEV_RESERVED = 0x1A;
  public static final long VDEV_VRINGS = 0x1C;
  public static final int VDEV_HEADER_SIZE = 0x1C;

  // fw_rsc_vdev_vring.
  public static final int VRING_ENTRY_SIZE = 20;
  public static final long VRING_DA = 0x00;
  public static final long VRING_ALIGN = 0x04;
  public static final long VRING_NUM = 0x08;
  public static final long VRING_NOTIFYID = 0x0C;
  public static final long VRING_RESERVED = 0x10;
  /** {@code FW_RSC_ADDR_ANY}: "allocate it for me", which this platform never uses. */
  public static final long ADDR_ANY = 0xFFFF_FFFFL;

  // The table this platform writes.
  public static final long VDEV_ENTRY_OFFSET = 0x14;
  public static final int TABLE_SIZE = (int) VDEV_ENTRY_OFFSET + VDEV_HEADER_SIZE + 2 * VRING_ENTRY_SIZE; // 88
  public static final int VIRTIO_ID_RPMSG = 7;
  public static final int VIRTIO_RPMSG_F_NS = 0x1;
  public static final int STATUS_DRIVER_OK = 0x04;

  // Placement.
  public static final long VRING0_DA = 0x4000;
  public static final long VRING1_DA = 0x8000;
  public static final int VRING_ALIGN_VALUE = 0x1000;
  public static final int VRING_NUM_VALUE = 256;
  public static final long RX_BUFFERS = 0x10000;
  public static final long TX_BUFFERS = 0x30000;
  public static final int BUFFER_SIZE = 512;
  public static final long BUFFER_POOL_END = 0x50000;

  /** Offset of vring entry {@code i} in a table whose vdev entry starts at {@code vdev}. */
  public static long vringEntry(long vdev, int i) {
    return vdev + VDEV_VRINGS + (long) i * VRING_ENTRY_SIZE;
  }

  /** Bytes a legacy ring of {@code num} entries with {@code align} occupies. */
  public static long ringBytes(int num, int align) {
    return SplitRingLayout.legacyRingBytes(num, align);
  }

  /**
   * Writes the table OpenAMP's socket server writes (FACTS §9.2): one vdev of id {@code vdevId}
   * with {@code dfeatures}, gfeatures and status 0, two vrings at the fixed placement.
   */
  public static void writeTable(MemorySegment file, int vdevId, int dfeatures) {
    file.asSlice(0, TABLE_SIZE).fill((byte) 0);
    file.set(U32_UNALIGNED, VERSION_OFFSET, VERSION);
    file.set(U32_UNALIGNED, NUM_OFFSET, 1);
    file.set(U32_UNALIGNED, ENTRY_OFFSETS_OFFSET, (int) VDEV_ENTRY_OFFSET);
    long v = VDEV_ENTRY_OFFSET;
    file.set(U32_UNALIGNED, v + VDEV_TYPE, RSC_VDEV);
    file.set(U32_UNALIGNED, v + VDEV_ID, vdevId);
    file.set(U32_UNALIGNED, v + VDEV_NOTIFYID, 0);
    file.set(U32_UNALIGNED, v + VDEV_DFEATURES, dfeatures);
    file.set(U32_UNALIGNED, v + VDEV_GFEATURES, 0);
    file.set(U32_UNALIGNED, v + VDEV_CONFIG_LEN, 0);
    file.set(ValueLayout.JAVA_BYTE, v + VDEV_STATUS, (byte) 0);
    file.set(ValueLayout.JAVA_BYTE, v + VDEV_NUM_VRINGS, (byte) 2);
    long[] da = {VRING0_DA, VRING1_DA};
    for (int i = 0; i < 2; i++) {
      long e = vringEntry(v, i);
      file.set(U32_UNALIGNED, e + VRING_DA, (int) da[i]);
      file.set(U32_UNALIGNED, e + VRING_ALIGN, VRING_ALIGN_VALUE);
      file.set(U32_UNALIGNED, e + VRING_NUM, VRING_NUM_VALUE);
      file.set(U32_UNALIGNED, e + VRING_NOTIFYID, i + 1);
      file.set(U32_UNALIGNED, e + VRING_RESERVED, 0);
    }
  }
}
