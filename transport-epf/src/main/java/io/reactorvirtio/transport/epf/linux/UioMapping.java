package io.reactorvirtio.transport.epf.linux;

import io.reactorvirtio.virtio.memory.SharedRegion;
import java.lang.foreign.MemorySegment;

/**
 * A mapped UIO region: the page-aligned {@code mmap} of {@code /dev/uioX} and, in {@link
 * #segment()}, the region itself ({@code map.offset()} bytes in, {@code map.size()} long). Closing
 * unmaps; afterwards any access throws {@link IllegalStateException}.
 */
public final class UioMapping implements AutoCloseable {

  private final UioMap map;
  private final SharedRegion region;
  private final MemorySegment segment;

  UioMapping(UioMap map, SharedRegion region) {
    this.map = map;
    this.region = region;
    this.segment = region.segment().asSlice(map.offset(), map.size());
  }

  /** The map's description from sysfs. */
  public UioMap map() {
    return map;
  }

  /** The region's bytes: the mapping plus the map's {@code offset}, {@code size} long. */
  public MemorySegment segment() {
    return segment;
  }

  /** The whole page-aligned mapping. */
  public SharedRegion region() {
    return region;
  }

  /** Unmaps; idempotent. */
  @Override
  public void close() {
    region.close();
  }

  @Override
  public String toString() {
    return "UioMapping[" + map + " of " + region + "]";
  }
}
