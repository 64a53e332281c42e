package io.reactorvirtio.virtio.internal.ring;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Little-endian layouts and the var handles the ring flyweights use. Atomic access modes
 * (acquire/release) need natural alignment, which the validating factories guarantee for ring
 * indices; descriptor and element reads that may land on peer-chosen addresses use the unaligned
 * layouts with plain access only.
 */
public final class LittleEndian {

  public static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);
  public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
  public static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);

  public static final ValueLayout.OfShort U16_UNALIGNED =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  public static final ValueLayout.OfInt U32_UNALIGNED =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  public static final ValueLayout.OfLong U64_UNALIGNED =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** Coordinates (MemorySegment, long byteOffset); acquire/release need a 2-aligned address. */
  public static final VarHandle U16_HANDLE = U16.varHandle();
  /** Coordinates (MemorySegment, long byteOffset); acquire/release/CAS need a 4-aligned address. */
  public static final VarHandle U32_HANDLE = U32.varHandle();

  private LittleEndian() {}
}
