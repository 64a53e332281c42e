package io.reactorvirtio.transport.openamp.internal;

import io.reactorvirtio.virtio.memory.SharedRegion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Opens OpenAMP's shared file as its platform does: create it (mode 0600) if missing, grow it to
 * the platform's size under an exclusive lock if shorter (first opener), then map it whole.
 *
 * <p>OpenAMP takes a {@code flock(2)}; Java's {@link FileChannel#lock()} is an {@code fcntl} record
 * lock, which does not exclude a {@code flock} holder. Growing is idempotent (both sides only ever
 * extend to the same size), so the two locks need not see each other.
 */
public final class SharedFile {

  /** fcntl locks belong to the process: two links of one JVM serialise here first. */
  private static final Object JVM_LOCK = new Object();

  private SharedFile() {}

  /** Creates or grows {@code file} to at least {@code size} bytes and maps it. */
  public static SharedRegion openOrCreate(Path file, long size) {
    synchronized (JVM_LOCK) {
      grow(file, size);
    }
    return SharedRegion.open(file);
  }

  private static void grow(Path file, long size) {
    try (FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE,
        StandardOpenOption.READ, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        FileLock lock = ch.lock()) {
      if (ch.size() < size) {
        // Zero-filled extension (ftruncate), as the platform's first opener does.
        ch.write(java.nio.ByteBuffer.wrap(new byte[1]), size - 1);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot create or size the shared file", e);
    }
  }
}
