package io.reactorvirtio.rpmsg.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Golden bytes for every rpmsg message type, and the messages a real OpenAMP pair left in its
 * shared file ({@code shared/golden}, FACTS §9).
 */
class RpmsgWireGoldenTest {

  private static final String GOLDEN = "openamp-linux-after-480-echoes.shm";
  private static final String DEMO = "rpmsg-openamp-demo-channel";

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  private static byte[] bytes(MemorySegment s) {
    return s.toArray(ValueLayout.JAVA_BYTE);
  }

  /** Walks up from the working directory to {@code shared/golden} (the CI clone has shared/ beside it). */
  static Path golden() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("golden").resolve(GOLDEN);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError("golden file shared/golden/" + GOLDEN + " not found above " + Path.of("").toAbsolutePath());
  }

  @Test
  void headerEncodesToTheLinuxBytes() {
    MemorySegment buf = MemorySegment.ofArray(new byte[16]);
    buf.fill((byte) 0x5A); // reserved and flags must be overwritten with 0
    RpmsgHeader.write(buf, 0, 0x400, 0x35, 40);
    assertThat(bytes(buf)).isEqualTo(hex("00040000 35000000 00000000 2800 0000"));
    RpmsgHeader.write(buf, 0, 0xFFFFFFFE, 0x12345678, 496);
    assertThat(bytes(buf)).isEqualTo(hex("FEFFFFFF 78563412 00000000 F001 0000"));
  }

  @Test
  void headerDecodesEveryField() {
    MemorySegment buf = MemorySegment.ofArray(hex("01020304 05060708 090A0B0C 0D0E 0F10"));
    assertThat(RpmsgHeader.src(buf, 0)).isEqualTo(0x04030201);
    assertThat(RpmsgHeader.dst(buf, 0)).isEqualTo(0x08070605);
    assertThat(RpmsgHeader.reserved(buf, 0)).isEqualTo(0x0C0B0A09);
    assertThat(RpmsgHeader.len(buf, 0)).isEqualTo(0x0E0D);
    assertThat(RpmsgHeader.flags(buf, 0)).isEqualTo(0x100F);
    MemorySegment big = MemorySegment.ofArray(hex("00000000 00000000 00000000 FFFF 0000"));
    assertThat(RpmsgHeader.len(big, 0)).as("len is unsigned").isEqualTo(65535);
  }

  @Test
  void lengthCheckIsLinuxsRule() {
    assertThat(RpmsgHeaderLayout.checkLength(512, 496)).isNull();
    assertThat(RpmsgHeaderLayout.checkLength(512, 0)).isNull();
    assertThat(RpmsgHeaderLayout.checkLength(512, 497)).contains("497").contains("512");
    assertThat(RpmsgHeaderLayout.checkLength(56, 40)).isNull();
    assertThat(RpmsgHeaderLayout.checkLength(56, 41)).isNotNull();
    assertThat(RpmsgHeaderLayout.checkLength(15, 0)).contains("shorter");
    assertThat(RpmsgHeaderLayout.mtu(512)).isEqualTo(496);
    assertThat(RpmsgHeaderLayout.mtu(16)).isZero();
  }

  @Test
  void nameServiceCreateAndDestroyAreExactly40GoldenBytes() {
    MemorySegment buf = MemorySegment.ofArray(new byte[40]);
    buf.fill((byte) 0xA5);
    NameServiceMessage.write(buf, 0, NameCodec.encode("rpmsg-echo"), 1024, NameServiceLayout.FLAG_CREATE);
    assertThat(bytes(buf)).isEqualTo(hex(
        "72706d73672d6563686f" + "00".repeat(22) // "rpmsg-echo" + 22 NULs
            + "00040000 00000000"));
    NameServiceMessage.write(buf, 0, NameCodec.encode("rpmsg-echo"), 1024, NameServiceLayout.FLAG_DESTROY);
    assertThat(bytes(buf)).isEqualTo(hex(
        "72706d73672d6563686f" + "00".repeat(22) + "00040000 01000000"));
    NameServiceMessage.write(buf, 0, NameCodec.encode("x"), 0x01020304, NameServiceLayout.FLAG_AS_ANNOUNCE);
    assertThat(Arrays.copyOfRange(bytes(buf), 32, 40)).isEqualTo(hex("04030201 02000000"));
    assertThat(NameServiceMessage.name(buf, 0)).isEqualTo("x");
    assertThat(NameServiceMessage.addr(buf, 0)).isEqualTo(0x01020304);
    assertThat(NameServiceLayout.isDestroy(NameServiceMessage.flags(buf, 0))).as("AS_ANNOUNCE is a create").isFalse();
  }

  @Test
  void addressServiceMessageIsExactly44GoldenBytes() {
    MemorySegment buf = MemorySegment.ofArray(new byte[44]);
    AddressServiceMessage.write(buf, 0, NameCodec.encode("ch"), 1025, 0x400, AddressServiceLayout.FLAG_ASSIGN);
    assertThat(bytes(buf)).isEqualTo(hex("6368" + "00".repeat(30) + "01040000 00040000 01000000"));
    assertThat(AddressServiceMessage.name(buf, 0)).isEqualTo("ch");
    assertThat(AddressServiceMessage.dst(buf, 0)).isEqualTo(1025);
    assertThat(AddressServiceMessage.src(buf, 0)).isEqualTo(0x400);
    assertThat(AddressServiceMessage.flags(buf, 0)).isEqualTo(AddressServiceLayout.FLAG_ASSIGN);
    AddressServiceMessage.write(buf, 0, NameCodec.encode("ch"), 1025, 0x400, AddressServiceLayout.FLAG_FREE);
    assertThat(Arrays.copyOfRange(bytes(buf), 40, 44)).isEqualTo(hex("02000000"));
  }

  @Test
  void unterminatedNameIsCutAt31BytesAndReadsNothingBeyondTheField() {
    byte[] raw = new byte[40];
    Arrays.fill(raw, 0, 32, (byte) 'a');
    Arrays.fill(raw, 32, 40, (byte) 0x7F);
    MemorySegment buf = MemorySegment.ofArray(raw);
    assertThat(NameServiceMessage.nameTerminated(buf, 0)).isFalse();
    assertThat(NameServiceMessage.name(buf, 0)).isEqualTo("a".repeat(31));
    raw[31] = 0; // what Linux forces on receipt: a 31-byte name is terminated
    assertThat(NameServiceMessage.nameTerminated(buf, 0)).isTrue();
    assertThat(NameServiceMessage.name(buf, 0)).isEqualTo("a".repeat(31));
    raw[30] = 0;
    assertThat(NameServiceMessage.name(buf, 0)).isEqualTo("a".repeat(30));
    // A field at the very end of a segment: the reader must not step past it.
    MemorySegment tight = MemorySegment.ofArray(new byte[32]).fill((byte) 'b');
    assertThat(NameCodec.read(tight, 0)).hasSize(31);
  }

  @Test
  void namesThatCannotBeSentAreRefused() {
    assertThatThrownBy(() -> NameCodec.encode("n".repeat(32))).hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> NameCodec.encode("a\0b")).hasMessageContaining("NUL");
    assertThat(NameCodec.encode("n".repeat(31))).hasSize(31);
  }

  @Test
  void decodesTheMessagesOpenAmpLeftInItsSharedFile() throws IOException {
    try (Arena arena = Arena.ofConfined();
        FileChannel ch = FileChannel.open(golden(), StandardOpenOption.READ)) {
      MemorySegment shm = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
      assertThat(shm.byteSize()).isEqualTo(0x80000);

      // vring1 (driver -> device) descriptor 0 is the driver's one TX buffer: find it through the ring.
      var u64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
      var u32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
      long txAddr = shm.get(u64, 0x8000);
      int txLen = shm.get(u32, 0x8000 + 8);
      assertThat(txAddr).isEqualTo(0x30000);
      assertThat(txLen).as("OpenAMP puts the whole buffer in the descriptor").isEqualTo(512);

      for (long at : new long[] {txAddr, 0x2C200}) {
        MemorySegment msg = shm.asSlice(at, txLen);
        assertThat(RpmsgHeader.src(msg, 0)).isEqualTo(0x400);
        assertThat(RpmsgHeader.dst(msg, 0)).isEqualTo(53);
        assertThat(RpmsgHeader.reserved(msg, 0)).isZero();
        assertThat(RpmsgHeader.len(msg, 0)).isEqualTo(NameServiceLayout.SIZE);
        assertThat(RpmsgHeader.flags(msg, 0)).isZero();
        assertThat(RpmsgHeaderLayout.checkLength(txLen, RpmsgHeader.len(msg, 0))).isNull();
        long p = RpmsgHeaderLayout.SIZE;
        assertThat(NameServiceMessage.nameTerminated(msg, p)).isTrue();
        assertThat(NameServiceMessage.name(msg, p)).isEqualTo(DEMO);
        assertThat(NameServiceMessage.addr(msg, p)).isEqualTo(0x400);
        assertThat(NameServiceMessage.flags(msg, p)).isEqualTo(NameServiceLayout.FLAG_DESTROY);
        assertThat(NameServiceLayout.isDestroy(NameServiceMessage.flags(msg, p))).isTrue();
        // Our encoder produces the same 56 bytes.
        MemorySegment ours = MemorySegment.ofArray(new byte[56]);
        RpmsgHeader.write(ours, 0, 0x400, 53, 40);
        NameServiceMessage.write(ours, 16, NameCodec.encode(DEMO), 0x400, NameServiceLayout.FLAG_DESTROY);
        assertThat(bytes(ours)).isEqualTo(bytes(msg.asSlice(0, 56)));
      }

      int[][] data = {{0x10000, 272, 0}, {0x10200, 273, 1}};
      for (int[] d : data) {
        MemorySegment msg = shm.asSlice(d[0], 512);
        assertThat(RpmsgHeader.src(msg, 0)).isEqualTo(0x400);
        assertThat(RpmsgHeader.dst(msg, 0)).isEqualTo(0x400);
        assertThat(RpmsgHeader.len(msg, 0)).as("length from the header, not the used length 512").isEqualTo(d[1]);
        assertThat(RpmsgHeader.reserved(msg, 0)).as("the receiver's scribble").isEqualTo(d[2]);
        assertThat(RpmsgHeader.flags(msg, 0)).isZero();
        assertThat(RpmsgHeaderLayout.checkLength(512, RpmsgHeader.len(msg, 0))).isNull();
      }
      assertThat(new String(bytes(shm.asSlice(0x30010, 26)), StandardCharsets.US_ASCII)).isEqualTo(DEMO);
    }
  }
}
