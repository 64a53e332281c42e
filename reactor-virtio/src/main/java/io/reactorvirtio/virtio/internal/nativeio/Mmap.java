package io.reactorvirtio.virtio.internal.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * {@code mmap(2)} of a file or character device with {@code MAP_SHARED}, for the cases {@link
 * java.nio.channels.FileChannel#map} cannot handle: character devices such as {@code /dev/uioN}
 * report size 0 and {@code FileChannel.map} fails on them.
 *
 * <p>The returned segment is unmapped when its arena closes.
 */
@SuppressWarnings("restricted")
public final class Mmap {

  private static final long PAGE_SIZE = Libc.getpagesize();

  private Mmap() {}

  /** The system page size in bytes. */
  public static long pageSize() {
    return PAGE_SIZE;
  }

  /**
   * Opens {@code path}, maps {@code size} bytes from {@code offset} with {@code MAP_SHARED}, and
   * closes the descriptor again (the mapping keeps the file referenced).
   *
   * @param path a regular file or a character device
   * @param offset the file offset; must be a multiple of {@link #pageSize()}
   * @param size the mapping length in bytes, positive
   * @param readWrite map with {@code PROT_READ|PROT_WRITE} (file opened {@code O_RDWR}) rather than
   *     {@code PROT_READ} ({@code O_RDONLY})
   * @param arena the arena whose closing unmaps the segment
   * @return a native segment of {@code size} bytes at the mapped address
   * @throws IllegalArgumentException if offset is misaligned or negative, or size is not positive
   * @throws NativeException if {@code open} or {@code mmap} fails
   */
  public static MemorySegment map(
      Path path, long offset, long size, boolean readWrite, Arena arena) {
    if (offset < 0 || offset % PAGE_SIZE != 0) {
      throw new IllegalArgumentException(
          "mmap offset must be a non-negative multiple of the page size "
              + PAGE_SIZE
              + ": "
              + offset);
    }
    if (size <= 0) {
      throw new IllegalArgumentException("mmap size must be positive: " + size);
    }
    int openFlags = (readWrite ? Libc.O_RDWR : Libc.O_RDONLY) | Libc.O_CLOEXEC;
    int prot = readWrite ? Libc.PROT_READ | Libc.PROT_WRITE : Libc.PROT_READ;
    long address;
    try (Arena temp = Arena.ofConfined()) {
      MemorySegment capture = Libc.newCaptureSegment(temp);
      MemorySegment cPath = temp.allocateFrom(path.toString());
      int fd = Libc.open(capture, cPath, openFlags, 0);
      if (fd < 0) {
        throw new NativeException("open", Libc.errno(capture), path.toString());
      }
      try {
        address = Libc.mmap(capture, size, prot, Libc.MAP_SHARED, fd, offset);
        if (address == -1L) {
          throw new NativeException(
              "mmap",
              Libc.errno(capture),
              path
                  + " offset "
                  + offset
                  + " size "
                  + size
                  + (readWrite ? " read-write" : " read-only"));
        }
      } finally {
        Libc.close(capture, fd);
      }
    }
    long length = size;
    return MemorySegment.ofAddress(address)
        .reinterpret(size, arena, segment -> unmap(segment.address(), length));
  }

  private static void unmap(long address, long length) {
    try (Arena temp = Arena.ofConfined()) {
      // Nothing sensible can be done about a failure while an arena closes; the address range was
      // ours, so munmap only fails on a programming error.
      Libc.munmap(Libc.newCaptureSegment(temp), address, length);
    }
  }
}
