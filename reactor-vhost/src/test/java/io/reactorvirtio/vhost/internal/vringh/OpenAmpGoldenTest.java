package io.reactorvirtio.vhost.internal.vringh;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.virtio.internal.ring.DescriptorTable;
import io.reactorvirtio.virtio.internal.ring.QueueGeometry;
import io.reactorvirtio.virtio.internal.ring.SplitRingLayout;
import io.reactorvirtio.virtio.memory.Window;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our ring code reads a shared-memory file written by a C stack no one on this project wrote:
 * OpenAMP 1.10's Linux platform after 480 echoes ({@code shared/golden/README.md}, FACTS §9).
 * Every expected value comes from the golden README; the resource table and the rpmsg headers are
 * decoded with raw little-endian reads so that only the ring code is under test.
 */
class OpenAmpGoldenTest {

  static final String GOLDEN = "openamp-linux-after-480-echoes.shm";
  static final long FILE_SIZE = 0x80000;

  static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  @TempDir Path tmp;
  Arena arena;
  MemorySegment shm;

  /**
   * Finds {@code shared/golden/<file>} beside the clone: walks up from the working directory
   * (a module directory under surefire) looking for {@code shared/golden}.
   */
  static Path golden() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("golden").resolve(GOLDEN);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError("golden file shared/golden/" + GOLDEN + " not found above " + Path.of("").toAbsolutePath());
  }

  @BeforeEach
  void map() throws IOException {
    Path copy = tmp.resolve("openamp.shm");
    Files.copy(golden(), copy, StandardCopyOption.REPLACE_EXISTING);
    copy.toFile().setWritable(true);
    arena = Arena.ofConfined();
    try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      assertThat(ch.size()).isEqualTo(FILE_SIZE);
      shm = ch.map(FileChannel.MapMode.READ_WRITE, 0, FILE_SIZE, arena);
    }
  }

  @AfterEach
  void unmap() {
    arena.close();
  }

  int u32(long off) {
    return shm.get(U32, off);
  }

  int u16(long off) {
    return Short.toUnsignedInt(shm.get(U16, off));
  }

  int u8(long off) {
    return Byte.toUnsignedInt(shm.get(ValueLayout.JAVA_BYTE, off));
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void resourceTable() {
    assertThat(u32(0x00)).as("version").isEqualTo(1);
    assertThat(u32(0x04)).as("num").isEqualTo(1);
    assertThat(u32(0x08)).isZero();
    assertThat(u32(0x0C)).isZero();
    assertThat(u32(0x10)).as("offset[0]").isEqualTo(0x14);
    long e = 0x14;
    assertThat(u32(e)).as("type RSC_VDEV").isEqualTo(3);
    assertThat(u32(e + 4)).as("id rpmsg").isEqualTo(7);
    assertThat(u32(e + 8)).as("notifyid").isZero();
    assertThat(u32(e + 12)).as("dfeatures").isEqualTo(1);
    assertThat(u32(e + 16)).as("gfeatures").isEqualTo(1);
    assertThat(u32(e + 20)).as("config_len").isZero();
    assertThat(u8(e + 24)).as("status").isEqualTo(0x04);
    assertThat(u8(e + 25)).as("num_of_vrings").isEqualTo(2);
    long v0 = e + 28;
    assertThat(v0).isEqualTo(0x30);
    assertThat(new int[] {u32(v0), u32(v0 + 4), u32(v0 + 8), u32(v0 + 12)}).containsExactly(0x4000, 0x1000, 256, 1);
    long v1 = v0 + 20;
    assertThat(v1).isEqualTo(0x44);
    assertThat(new int[] {u32(v1), u32(v1 + 4), u32(v1 + 8), u32(v1 + 12)}).containsExactly(0x8000, 0x1000, 256, 2);
  }

  /** vring0, device → driver: the driver's 256 RX buffers, as our flyweights see them. */
  @Test
  void vring0ThroughTheFlyweights() {
    QueueGeometry g = QueueGeometry.legacy(u32(0x30), u32(0x38), u32(0x34));
    assertThat(g).isEqualTo(QueueGeometry.legacy(0x4000, 256, 0x1000));
    assertThat(g.availAddr()).isEqualTo(0x5000);
    assertThat(g.usedAddr()).isEqualTo(0x6000);
    QueueGeometry.Resolved r = g.resolve("vring0", Window.identity(shm));

    assertThat(r.avail().flags()).isZero();
    assertThat(r.avail().idxAcquire()).isEqualTo(737);
    assertThat(r.used().flags()).isEqualTo(1);
    assertThat(r.used().idxAcquire()).isEqualTo(482);
    DescriptorTable d = r.desc();
    for (int i = 0; i < 256; i++) {
      assertThat(d.addr(i)).as("desc[%d].addr", i).isEqualTo(0x10000L + i * 0x200L);
      assertThat(d.len(i)).as("desc[%d].len", i).isEqualTo(512);
      assertThat(d.flags(i)).as("desc[%d].flags", i).isEqualTo(SplitRingLayout.DESC_F_WRITE);
    }
    // used.idx 482 > 256: every used slot has been written at least once.
    for (int slot = 0; slot < 256; slot++) {
      assertThat(r.used().elemLen(slot)).as("used.ring[%d].len", slot).isEqualTo(512);
      assertThat(r.used().elemId(slot)).as("used.ring[%d].id", slot).isLessThan(256);
    }
    // Every avail entry names a descriptor.
    for (int slot = 0; slot < 256; slot++) {
      assertThat(r.avail().entry(slot)).isLessThan(256);
    }
  }

  /** vring1, driver → device: one TX buffer re-used throughout. */
  @Test
  void vring1ThroughTheFlyweights() {
    QueueGeometry g = QueueGeometry.legacy(u32(0x44), u32(0x4C), u32(0x48));
    assertThat(g).isEqualTo(QueueGeometry.legacy(0x8000, 256, 0x1000));
    QueueGeometry.Resolved r = g.resolve("vring1", Window.identity(shm));
    assertThat(r.avail().flags()).isEqualTo(1);
    assertThat(r.avail().idxAcquire()).isEqualTo(482);
    assertThat(r.used().flags()).isZero();
    assertThat(r.used().idxAcquire()).isEqualTo(482);
    assertThat(r.desc().addr(0)).isEqualTo(0x30000);
    assertThat(r.desc().len(0)).isEqualTo(512);
    assertThat(r.desc().flags(0)).isZero();
    // The last chain made available was descriptor 0.
    assertThat(r.avail().entry((482 - 1) & 255)).isZero();
  }

  /** The driver's last message at 0x30000: NS DESTROY of the demo channel. */
  @Test
  void rpmsgHeaderAndNameServiceBody() {
    long b = 0x30000;
    assertThat(u32(b)).as("src").isEqualTo(0x400);
    assertThat(u32(b + 4)).as("dst").isEqualTo(53);
    assertThat(u32(b + 8)).as("reserved").isZero();
    assertThat(u16(b + 12)).as("len").isEqualTo(40);
    assertThat(u16(b + 14)).as("flags").isZero();
    byte[] name = shm.asSlice(b + 16, 32).toArray(ValueLayout.JAVA_BYTE);
    int n = 0;
    while (n < name.length && name[n] != 0) {
      n++;
    }
    assertThat(new String(name, 0, n, StandardCharsets.US_ASCII)).isEqualTo("rpmsg-openamp-demo-channel");
    assertThat(u32(b + 48)).as("ns addr").isEqualTo(0x400);
    assertThat(u32(b + 52)).as("ns flags (DESTROY)").isEqualTo(1);

    // The device's NS DESTROY at 0x2C200 has the same shape; echoed data at 0x10000 / 0x10200.
    assertThat(new int[] {u32(0x2C200), u32(0x2C204), u16(0x2C20C)}).containsExactly(0x400, 53, 40);
    assertThat(new int[] {u32(0x10000), u32(0x10004), u16(0x1000C)}).containsExactly(0x400, 0x400, 272);
    assertThat(new int[] {u32(0x10200), u32(0x10204), u16(0x1020C)}).containsExactly(0x400, 0x400, 273);
  }

  /**
   * A Vringh attached to vring1 whose used.idx is rewound by one sees exactly one pending chain:
   * descriptor 0, 512 readable bytes at 0x30000 holding the NS message.
   */
  @Test
  void vringhTakesThePendingChainOfVring1() {
    QueueGeometry g = QueueGeometry.legacy(0x8000, 256, 0x1000);
    Window w = Window.identity(shm);
    QueueGeometry.Resolved r = g.resolve("view", w);
    r.used().publishIdx(481);

    Vringh v = Vringh.attach("vring1", g, w, false, false);
    assertThat(v.pendingAvail()).isEqualTo(1);
    Chain c = v.newChain();
    assertThat(v.getAvail(c)).isEqualTo(Vringh.GOT_CHAIN);
    assertThat(c.head()).isZero();
    assertThat(c.readableCount()).isEqualTo(1);
    assertThat(c.writableCount()).isZero();
    assertThat(c.readableOffset(0)).isEqualTo(0x30000);
    assertThat(c.readableLength(0)).isEqualTo(512);
    byte[] msg = new byte[512];
    assertThat(c.pull(MemorySegment.ofArray(msg), 0, 512)).isEqualTo(512);
    MemorySegment m = MemorySegment.ofArray(msg);
    assertThat(m.get(U32, 0)).isEqualTo(0x400);
    assertThat(m.get(U32, 4)).isEqualTo(53);
    assertThat(new String(msg, 16, 26, StandardCharsets.US_ASCII)).isEqualTo("rpmsg-openamp-demo-channel");
    assertThat(v.getAvail(v.newChain())).isEqualTo(Vringh.EMPTY);

    // Complete it the way OpenAMP's device does (len = buffer length): used.idx back to 482.
    v.addUsed(c.head(), 512);
    v.publishUsed();
    assertThat(r.used().idxAcquire()).isEqualTo(482);
    assertThat(r.used().elemId(481 & 255)).isZero();
    assertThat(r.used().elemLen(481 & 255)).isEqualTo(512);
    // avail.flags = 1 (NO_INTERRUPT): the OpenAMP driver asked not to be told about TX returns.
    assertThat(v.needNotify()).isFalse();
    assertThat(v.isBroken()).isFalse();
  }

  /** The device of vring0 (the RX queue) resuming where OpenAMP's left off: 255 RX buffers pending. */
  @Test
  void vringhResumesVring0() {
    QueueGeometry g = QueueGeometry.legacy(0x4000, 256, 0x1000);
    Vringh v = Vringh.attach("vring0", g, Window.identity(shm), false, false);
    assertThat(v.pendingAvail()).isEqualTo(737 - 482);
    int taken = 0;
    Chain c = v.newChain();
    int r;
    while ((r = v.getAvail(c)) == Vringh.GOT_CHAIN) {
      assertThat(c.writableCount()).isEqualTo(1);
      assertThat(c.readableCount()).isZero();
      assertThat(c.writableOffset(0)).isEqualTo(0x10000L + c.head() * 0x200L);
      assertThat(c.writableLength(0)).isEqualTo(512);
      taken++;
    }
    assertThat(r).as("%s", v).isEqualTo(Vringh.EMPTY);
    assertThat(taken).isEqualTo(255);
    assertThat(v.heldCount()).isEqualTo(255);
  }
}
