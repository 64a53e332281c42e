package io.reactorvirtio.virtio.memory;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.testsupport.ShmFiles;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SharedRegionTest {

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  @Test
  void createMakesAZeroFilledOwnerOnlyFileOfTheGivenSize() throws Exception {
    Path file = shm.newPath("region");
    try (SharedRegion region = SharedRegion.create(file, 10_000)) {
      assertThat(Files.getPosixFilePermissions(file))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(Files.size(file)).isEqualTo(10_000);
      assertThat(region.size()).isEqualTo(10_000);
      assertThat(region.segment().byteSize()).isEqualTo(10_000);
      assertThat(region.path()).isEqualTo(file);
      assertThat(region.segment().get(JAVA_LONG, 9_992)).isZero();
      assertThat(region.toString()).contains(file.toString()).contains("10000 bytes");
    }
  }

  @Test
  void createFailsClearlyWhenTheFileExists() throws Exception {
    Path file = Files.createFile(shm.newPath("exists"));
    assertThatThrownBy(() -> SharedRegion.create(file, 4096))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("already exists")
        .hasCauseInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.size(file)).isZero(); // left untouched
  }

  @Test
  void createRejectsNonPositiveSize() {
    Path file = shm.newPath("size");
    assertThatThrownBy(() -> SharedRegion.create(file, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Files.exists(file)).isFalse();
  }

  @Test
  void createDeletesTheFileWhenSizingFails() {
    Path file = shm.newPath("toolarge");
    assertThatThrownBy(() -> SharedRegion.create(file, Long.MAX_VALUE))
        .isInstanceOf(RuntimeException.class);
    assertThat(Files.exists(file)).isFalse();
  }

  @Test
  void openSeesDataWrittenThroughAnotherMapping() {
    Path file = shm.newPath("shared");
    try (SharedRegion writer = SharedRegion.create(file, 8192);
        SharedRegion reader = SharedRegion.open(file)) {
      assertThat(reader.size()).isEqualTo(8192);
      writer.segment().set(JAVA_LONG, 4096, 0x0123456789ABCDEFL);
      assertThat(reader.segment().get(JAVA_LONG, 4096)).isEqualTo(0x0123456789ABCDEFL);
      reader.segment().set(JAVA_LONG, 0, 99L);
      assertThat(writer.segment().get(JAVA_LONG, 0)).isEqualTo(99L);
    }
  }

  @Test
  void openOfAnEmptyFileFailsClearly() throws Exception {
    Path file = Files.createFile(shm.newPath("empty"));
    assertThatThrownBy(() -> SharedRegion.open(file))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("is empty");
  }

  @Test
  void openOfAMissingFileFailsClearly() {
    Path file = shm.newPath("missing");
    assertThatThrownBy(() -> SharedRegion.open(file))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(file.toString())
        .hasCauseInstanceOf(NoSuchFileException.class);
  }

  @Test
  void closeIsIdempotentAndUnmaps() {
    Path file = shm.newPath("close");
    SharedRegion region = SharedRegion.create(file, 4096);
    region.close();
    region.close();
    assertThatThrownBy(() -> region.segment().get(JAVA_LONG, 0))
        .isInstanceOf(IllegalStateException.class);
    assertThat(region.toString()).contains("closed");
    assertThat(Files.exists(file)).isTrue(); // close does not delete
    region.unlink();
  }

  @Test
  void unlinkRemovesTheFileAndIsIdempotent() {
    Path file = shm.newPath("unlink");
    try (SharedRegion region = SharedRegion.create(file, 4096)) {
      region.unlink();
      assertThat(Files.exists(file)).isFalse();
      region.unlink();
      // The mapping stays usable after unlink.
      region.segment().set(JAVA_LONG, 0, 5L);
      assertThat(region.segment().get(JAVA_LONG, 0)).isEqualTo(5L);
    }
  }

  @Test
  void openDeviceMapsACharacterDeviceAndNeverUnlinksIt() {
    Path zero = Paths.get("/dev/zero");
    try (SharedRegion region = SharedRegion.openDevice(zero, 0, 8192)) {
      assertThat(region.size()).isEqualTo(8192);
      assertThat(region.segment().get(JAVA_LONG, 8184)).isZero();
      region.unlink();
      assertThat(Files.exists(zero)).isTrue();
      assertThat(region.toString()).contains("device");
    }
  }

  @Test
  void openDeviceRejectsMisalignedOffset() {
    assertThatThrownBy(() -> SharedRegion.openDevice(Paths.get("/dev/zero"), 12, 4096))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
