package io.reactorvirtio.transport.openamp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The golden OpenAMP file: found by walking up from the working directory to {@code shared/golden}. */
final class Golden {

  static final String NAME = "openamp-linux-after-480-echoes.shm";

  private Golden() {}

  static Path file() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path f = dir.resolve("shared").resolve("golden").resolve(NAME);
      if (Files.isRegularFile(f)) {
        return f;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("no shared/golden/" + NAME + " above " + Path.of("").toAbsolutePath());
  }

  static byte[] bytes() {
    try {
      return Files.readAllBytes(file());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A writable copy (the golden file is read-only). */
  static Path copyTo(Path target) {
    try {
      Files.copy(file(), target, StandardCopyOption.REPLACE_EXISTING);
      target.toFile().setWritable(true, true);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
