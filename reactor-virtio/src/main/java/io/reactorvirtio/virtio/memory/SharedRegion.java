package io.reactorvirtio.virtio.memory;

import io.reactorvirtio.virtio.internal.nativeio.Mmap;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A shared-memory region: a file (typically in {@code /dev/shm}) or a device window mapped
 * read-write with {@code MAP_SHARED}, so that every process mapping the same file sees the same
 * bytes.
 *
 * <p>The mapping lives in a shared arena: any thread may access {@link #segment()}, and after
 * {@link #close()} every access throws {@link IllegalStateException} instead of touching unmapped
 * memory. The segment's byte order is irrelevant: all framework accessors use explicit
 * little-endian layouts.
 *
 * <p>Closing unmaps; it does not delete the file: {@link #unlink()} does, and may be called
 * before or after closing (mappings of an unlinked file stay valid).
 */
public final class SharedRegion implements AutoCloseable {

  private final Path path;
  private final long size;
  private final Arena arena;
  private final MemorySegment segment;
  private final boolean device;
  private final AtomicBoolean closed = new AtomicBoolean();

  private SharedRegion(Path path, long size, Arena arena, MemorySegment segment, boolean device) {
    this.path = path;
    this.size = size;
    this.arena = arena;
    this.segment = segment;
    this.device = device;
  }

  /**
   * Creates {@code file} with mode {@code 0600}, sets its length to {@code size} (zero-filled) and
   * maps it.
   *
   * @throws IllegalArgumentException if size is not positive
   * @throws UncheckedIOException if the file already exists (cause {@link
   *     FileAlreadyExistsException}) or cannot be created, sized or mapped; a file this call
   *     created is deleted again on failure
   */
  public static SharedRegion create(Path file, long size) {
    if (size <= 0) {
      throw new IllegalArgumentException("shared region size must be positive: " + size);
    }
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      throw new UncheckedIOException(
          "cannot create shared region " + file + ": the file already exists", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create shared region " + file, e);
    }
    Arena arena = Arena.ofShared();
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(size);
      MemorySegment segment = raf.getChannel().map(MapMode.READ_WRITE, 0, size, arena);
      return new SharedRegion(file, size, arena, segment, false);
    } catch (IOException | RuntimeException e) {
      arena.close();
      deleteQuietly(file, e);
      if (e instanceof IOException io) {
        throw new UncheckedIOException(
            "cannot size or map shared region " + file + " (" + size + " bytes)", io);
      }
      throw (RuntimeException) e;
    }
  }

  /**
   * Maps the whole of an existing file read-write.
   *
   * @throws UncheckedIOException if the file does not exist, is empty (its creator may not have
   *     sized it yet), or cannot be mapped
   */
  public static SharedRegion open(Path file) {
    Arena arena = Arena.ofShared();
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = channel.size();
      if (size == 0) {
        throw new IOException(
            "shared region file " + file + " is empty (0 bytes); it was not created by"
                + " SharedRegion.create or is still being sized");
      }
      MemorySegment segment = channel.map(MapMode.READ_WRITE, 0, size, arena);
      return new SharedRegion(file, size, arena, segment, false);
    } catch (IOException e) {
      arena.close();
      throw new UncheckedIOException(
          "cannot open shared region " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  /**
   * Maps {@code size} bytes of a character device (e.g. {@code /dev/uio0}) from {@code offset}
   * with raw {@code mmap(2)}, since {@link FileChannel#map} cannot map devices.
   *
   * @param offset a multiple of the page size (for UIO: map index times the page size)
   * @throws IllegalArgumentException if offset is misaligned or size not positive
   * @throws io.reactorvirtio.virtio.internal.nativeio.NativeException if open or mmap fails
   */
  public static SharedRegion openDevice(Path device, long offset, long size) {
    Arena arena = Arena.ofShared();
    try {
      MemorySegment segment = Mmap.map(device, offset, size, true, arena);
      return new SharedRegion(device, size, arena, segment, true);
    } catch (RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  /** The mapped bytes; accessing it after {@link #close()} throws {@link IllegalStateException}. */
  public MemorySegment segment() {
    return segment;
  }

  /** The mapping length in bytes. */
  public long size() {
    return size;
  }

  /** The mapped file or device. */
  public Path path() {
    return path;
  }

  /** Unmaps the region; a second call does nothing. The file stays (see {@link #unlink()}). */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      arena.close();
    }
  }

  /**
   * Deletes the file if it still exists; idempotent. Other processes' mappings stay valid. Does
   * nothing for a region from {@link #openDevice} (a device node is never deleted).
   *
   * @throws UncheckedIOException if the file exists but cannot be deleted
   */
  public void unlink() {
    if (device) {
      return;
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete shared region file " + path, e);
    }
  }

  @Override
  public String toString() {
    return "SharedRegion["
        + path
        + ", "
        + size
        + " bytes"
        + (device ? ", device" : "")
        + (closed.get() ? ", closed]" : "]");
  }

  private static void deleteQuietly(Path file, Exception failure) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }
}
