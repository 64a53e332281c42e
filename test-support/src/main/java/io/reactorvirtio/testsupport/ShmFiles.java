package io.reactorvirtio.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Unique file names in {@code /dev/shm} for shared-memory tests, and a JUnit 5 extension that
 * deletes the ones a test asked for.
 *
 * <p>Register one per test class and take paths from it; every path it handed out is deleted after
 * each test, whether or not the test created the file:
 *
 * <pre>{@code
 * @RegisterExtension final ShmFiles shm = new ShmFiles();
 *
 * @Test void test() {
 *   Path file = shm.newPath("ring");   // /dev/shm/ring-<pid>-<nanos>-<n>, not created yet
 *   ...
 * }
 * }</pre>
 *
 * <p>{@link #unique(String)} gives a name without tracking it (for code that cleans up itself).
 * Instances are thread-safe.
 */
public final class ShmFiles implements AfterEachCallback {

  /** Where the names live: tmpfs, so mapped files never touch a disk. */
  public static final Path SHM_DIR = Paths.get("/dev/shm");

  private static final AtomicLong COUNTER = new AtomicLong();

  private final List<Path> tracked = new ArrayList<>();

  /** Creates an extension instance with nothing tracked. */
  public ShmFiles() {}

  /**
   * Returns {@code /dev/shm/<prefix>-<pid>-<nanoTime>-<counter>}, a name no other call of this or
   * any other JVM returns. The file is not created.
   *
   * @param prefix a file-name prefix without {@code /}
   */
  public static Path unique(String prefix) {
    if (prefix.isEmpty() || prefix.indexOf('/') >= 0) {
      throw new IllegalArgumentException("prefix must be a non-empty file name: '" + prefix + "'");
    }
    return SHM_DIR.resolve(
        prefix
            + "-"
            + ProcessHandle.current().pid()
            + "-"
            + System.nanoTime()
            + "-"
            + COUNTER.incrementAndGet());
  }

  /** Returns a {@link #unique(String)} name that is deleted after the current test. */
  public Path newPath(String prefix) {
    return track(unique(prefix));
  }

  /** Deletes {@code path} after the current test (if it exists then); returns it. */
  public Path track(Path path) {
    synchronized (tracked) {
      tracked.add(path);
    }
    return path;
  }

  /**
   * Deletes every tracked file that exists and forgets them all.
   *
   * @throws UncheckedIOException if some file could not be deleted (the others still are)
   */
  public void deleteAll() {
    List<Path> paths;
    synchronized (tracked) {
      paths = new ArrayList<>(tracked);
      tracked.clear();
    }
    UncheckedIOException failure = null;
    for (Path path : paths) {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        if (failure == null) {
          failure = new UncheckedIOException("cannot delete shared-memory test file " + path, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Deletes the files tracked during the test that just finished. */
  @Override
  public void afterEach(ExtensionContext context) {
    deleteAll();
  }
}
