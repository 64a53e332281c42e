package io.reactorvirtio.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ShmFilesTest {

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  private Path createdInTest;

  @Test
  void uniqueNamesAreDistinctAndNotCreated() {
    Path a = ShmFiles.unique("t");
    Path b = ShmFiles.unique("t");
    assertThat(a).isNotEqualTo(b);
    assertThat(a.getParent()).isEqualTo(ShmFiles.SHM_DIR);
    assertThat(a.getFileName().toString()).startsWith("t-" + ProcessHandle.current().pid() + "-");
    assertThat(Files.exists(a)).isFalse();
  }

  @Test
  void rejectsBadPrefix() {
    assertThatThrownBy(() -> ShmFiles.unique("a/b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ShmFiles.unique("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deleteAllDeletesTrackedFilesAndToleratesMissingOnes() throws Exception {
    ShmFiles own = new ShmFiles();
    Path created = Files.createFile(own.newPath("del"));
    Path never = own.newPath("never");
    own.deleteAll();
    assertThat(Files.exists(created)).isFalse();
    assertThat(Files.exists(never)).isFalse();
    own.deleteAll(); // nothing left: no-op
  }

  @Test
  void extensionDeletesAfterEachTest() throws Exception {
    createdInTest = Files.createFile(shm.newPath("ext"));
    assertThat(Files.exists(createdInTest)).isTrue();
  }

  @AfterEach
  void checkExtensionDeleted() {
    // User @AfterEach methods run before extension AfterEachCallbacks; check the file is still
    // tracked here and delete via the extension to prove it works.
    if (createdInTest != null) {
      assertThat(Files.exists(createdInTest)).isTrue();
      shm.afterEach(null);
      assertThat(Files.exists(createdInTest)).isFalse();
    }
  }
}
