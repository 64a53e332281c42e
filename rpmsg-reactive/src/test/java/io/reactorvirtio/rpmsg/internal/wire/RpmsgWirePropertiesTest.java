package io.reactorvirtio.rpmsg.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Codec laws: what is written reads back, at any offset, and decoding arbitrary bytes stays inside its field. */
class RpmsgWirePropertiesTest {

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.strings().withCharRange('!', '~').ofMinLength(0).ofMaxLength(31);
  }

  @Property(tries = 300)
  void headerRoundTrips(@ForAll int src, @ForAll int dst, @ForAll @IntRange(min = 0, max = 0xFFFF) int len,
      @ForAll @IntRange(min = 0, max = 64) int at) {
    MemorySegment s = MemorySegment.ofArray(new byte[at + 16 + 8]).fill((byte) 0xEE);
    RpmsgHeader.write(s, at, src, dst, len);
    assertThat(RpmsgHeader.src(s, at)).isEqualTo(src);
    assertThat(RpmsgHeader.dst(s, at)).isEqualTo(dst);
    assertThat(RpmsgHeader.len(s, at)).isEqualTo(len);
    assertThat(RpmsgHeader.reserved(s, at)).isZero();
    assertThat(RpmsgHeader.flags(s, at)).isZero();
    // Neighbours untouched.
    for (int i = 0; i < at; i++) {
      assertThat(s.get(ValueLayout.JAVA_BYTE, i)).isEqualTo((byte) 0xEE);
    }
    assertThat(s.get(ValueLayout.JAVA_BYTE, at + 16)).isEqualTo((byte) 0xEE);
  }

  @Property(tries = 300)
  void nameServiceRoundTrips(@ForAll("names") String name, @ForAll int addr, @ForAll int flags) {
    MemorySegment s = MemorySegment.ofArray(new byte[40]).fill((byte) 0x77);
    NameServiceMessage.write(s, 0, NameCodec.encode(name), addr, flags);
    assertThat(NameServiceMessage.nameTerminated(s, 0)).isTrue();
    assertThat(NameServiceMessage.name(s, 0)).isEqualTo(name);
    assertThat(NameServiceMessage.addr(s, 0)).isEqualTo(addr);
    assertThat(NameServiceMessage.flags(s, 0)).isEqualTo(flags);
    assertThat(NameServiceLayout.isDestroy(flags)).isEqualTo((flags & 1) != 0);
  }

  @Property(tries = 300)
  void addressServiceRoundTrips(@ForAll("names") String name, @ForAll int dst, @ForAll int src, @ForAll int flags) {
    MemorySegment s = MemorySegment.ofArray(new byte[44]);
    AddressServiceMessage.write(s, 0, NameCodec.encode(name), dst, src, flags);
    assertThat(AddressServiceMessage.name(s, 0)).isEqualTo(name);
    assertThat(AddressServiceMessage.dst(s, 0)).isEqualTo(dst);
    assertThat(AddressServiceMessage.src(s, 0)).isEqualTo(src);
    assertThat(AddressServiceMessage.flags(s, 0)).isEqualTo(flags);
  }

  @Property(tries = 500)
  void anyNameFieldDecodesToAtMost31BytesFromInsideTheField(@ForAll byte[] raw) {
    // The field is the last 32 bytes of the segment: a reader past it would throw.
    byte[] field = new byte[32];
    System.arraycopy(raw, 0, field, 0, Math.min(32, raw.length));
    MemorySegment s = MemorySegment.ofArray(field);
    String name = NameCodec.read(s, 0);
    assertThat(name.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(31 * 3);
    int nul = -1;
    for (int i = 0; i < 32; i++) {
      if (field[i] == 0) {
        nul = i;
        break;
      }
    }
    assertThat(NameCodec.isTerminated(s, 0)).isEqualTo(nul >= 0);
  }

  @Property(tries = 500)
  void lengthCheckAcceptsExactlyWhatFits(@ForAll @IntRange(min = 0, max = 4096) int available,
      @ForAll @IntRange(min = 0, max = 0xFFFF) int len) {
    boolean fits = available >= 16 && len <= available - 16;
    assertThat(RpmsgHeaderLayout.checkLength(available, len) == null).isEqualTo(fits);
  }
}
