package io.reactorvirtio.virtio.internal.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.virtio.memory.SharedRegion;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MmapTest {

  private static final Path DEV_ZERO = Paths.get("/dev/zero");

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  @Test
  void pageSizeIsAPowerOfTwo() {
    assertThat(Long.bitCount(Mmap.pageSize())).isEqualTo(1);
    assertThat(Mmap.pageSize()).isGreaterThanOrEqualTo(4096);
  }

  @Test
  void fileChannelCannotMapACharacterDeviceButMmapCan() throws Exception {
    try (Arena arena = Arena.ofConfined();
        FileChannel channel =
            FileChannel.open(DEV_ZERO, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      assertThatThrownBy(() -> channel.map(MapMode.READ_WRITE, 0, 8192, arena))
          .isInstanceOf(IOException.class);
      assertThatThrownBy(() -> channel.map(MapMode.READ_ONLY, 0, 8192, arena))
          .isInstanceOf(IOException.class);
    }
    try (Arena arena = Arena.ofConfined()) {
      long size = 2 * Mmap.pageSize();
      MemorySegment rw = Mmap.map(DEV_ZERO, 0, size, true, arena);
      assertThat(rw.byteSize()).isEqualTo(size);
      assertThat(rw.mismatch(arena.allocate(size))).isEqualTo(-1); // all zeros
      rw.set(JAVA_LONG, 8, 0x1122334455667788L);
      assertThat(rw.get(JAVA_LONG, 8)).isEqualTo(0x1122334455667788L);
      MemorySegment ro = Mmap.map(DEV_ZERO, 0, 100, false, arena);
      assertThat(ro.byteSize()).isEqualTo(100);
      assertThat(ro.get(JAVA_BYTE, 99)).isZero();
    }
  }

  @Test
  void regularFileMappingSharesBytesWithSharedRegion() {
    long page = Mmap.pageSize();
    Path file = shm.newPath("mmap");
    try (SharedRegion region = SharedRegion.create(file, 3 * page);
        Arena arena = Arena.ofConfined()) {
      MemorySegment written = region.segment();
      written.set(JAVA_LONG, page + 16, 0xCAFEBABEL);
      MemorySegment view = Mmap.map(file, page, page, true, arena);
      assertThat(view.get(JAVA_LONG, 16)).isEqualTo(0xCAFEBABEL);
      view.set(JAVA_LONG, 24, 77L);
      assertThat(written.get(JAVA_LONG, page + 24)).isEqualTo(77L);
      MemorySegment readOnly = Mmap.map(file, 0, 2 * page, false, arena);
      assertThat(readOnly.get(JAVA_LONG, page + 16)).isEqualTo(0xCAFEBABEL);
      assertThat(readOnly.isReadOnly()).isFalse(); // protection is enforced by the kernel only
    }
  }

  @Test
  void closingTheArenaUnmaps() {
    Arena arena = Arena.ofShared();
    MemorySegment seg = Mmap.map(DEV_ZERO, 0, Mmap.pageSize(), true, arena);
    seg.set(JAVA_BYTE, 0, (byte) 1);
    arena.close();
    assertThatThrownBy(() -> seg.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void misalignedOffsetAndBadSizeAreRejected() {
    try (Arena arena = Arena.ofConfined()) {
      assertThatThrownBy(() -> Mmap.map(DEV_ZERO, 100, 4096, true, arena))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("page size");
      assertThatThrownBy(() -> Mmap.map(DEV_ZERO, -Mmap.pageSize(), 4096, true, arena))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> Mmap.map(DEV_ZERO, 0, 0, true, arena))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void missingFileFailsWithEnoent() {
    Path missing = shm.newPath("missing");
    try (Arena arena = Arena.ofConfined()) {
      assertThatThrownBy(() -> Mmap.map(missing, 0, 4096, true, arena))
          .isInstanceOfSatisfying(
              NativeException.class, e -> assertThat(e.errno()).isEqualTo(Libc.ENOENT))
          .hasMessage("open failed: errno 2 (ENOENT): " + missing);
    }
  }

  @Test
  void mmapFailureIsReported() {
    Path file = shm.newPath("huge");
    try (SharedRegion region = SharedRegion.create(file, Mmap.pageSize());
        Arena arena = Arena.ofConfined()) {
      // open succeeds; no address range this large exists, so mmap itself fails.
      assertThatThrownBy(() -> Mmap.map(file, 0, Long.MAX_VALUE / 2, true, arena))
          .isInstanceOf(NativeException.class)
          .hasMessageStartingWith("mmap failed: errno 12 (ENOMEM)")
          .hasMessageContaining(file.toString());
      assertThat(region.size()).isEqualTo(Mmap.pageSize());
    }
  }
}
