package io.reactorvirtio.rpmsg.internal.wire;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Jazzer on the untrusted inbound path (STYLE.md "Tests / Fuzz"): whatever a peer puts in a
 * buffer, {@link InboundFrame#classify} answers one of its codes without throwing, and decoding
 * what it accepted stays inside the buffer — the buffer is a native segment of exactly the
 * received length, so any read past it fails the test. Input: u8 flags (bit0 NS negotiated, bit1
 * AS negotiated), then the buffer bytes. Seeds in {@code InboundFrameFuzzTestInputs/} (regression
 * mode on every build; {@code JAZZER_FUZZ=1} fuzzes for real).
 */
class InboundFrameFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void classifyAndDecode(FuzzedDataProvider data) {
    int flags = data.consumeByte();
    byte[] bytes = data.consumeRemainingAsBytes();
    check((flags & 1) != 0, (flags & 2) != 0, bytes);
  }

  static int check(boolean ns, boolean as, byte[] bytes) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(Math.max(1, bytes.length)).asSlice(0, bytes.length);
      MemorySegment.copy(bytes, 0, buf, ValueLayout.JAVA_BYTE, 0, bytes.length);
      int kind = InboundFrame.classify(buf, ns, as);
      switch (kind) {
        case InboundFrame.BAD_HEADER -> {
          if (bytes.length >= 16 && RpmsgHeader.len(buf, 0) <= bytes.length - 16) {
            throw new AssertionError("rejected a header that fits");
          }
        }
        case InboundFrame.DATA -> {
          int len = RpmsgHeader.len(buf, 0);
          MemorySegment payload = buf.asSlice(RpmsgHeaderLayout.SIZE, len); // throws if outside
          if (payload.byteSize() != len) {
            throw new AssertionError("payload view of the wrong size");
          }
        }
        case InboundFrame.NAME_SERVICE -> {
          String name = NameServiceMessage.name(buf, 16);
          NameServiceMessage.addr(buf, 16);
          NameServiceMessage.flags(buf, 16);
          NameServiceMessage.nameTerminated(buf, 16);
          if (!ns || RpmsgHeader.len(buf, 0) != 40 || name.codePoints().count() > 31) {
            throw new AssertionError("accepted a name-service message it should not have: " + name);
          }
        }
        case InboundFrame.ADDRESS_SERVICE -> {
          AddressServiceMessage.name(buf, 16);
          AddressServiceMessage.dst(buf, 16);
          AddressServiceMessage.src(buf, 16);
          AddressServiceMessage.flags(buf, 16);
          if (!as || RpmsgHeader.len(buf, 0) != 44) {
            throw new AssertionError("accepted an address-service message it should not have");
          }
        }
        case InboundFrame.BAD_NAME_SERVICE, InboundFrame.BAD_ADDRESS_SERVICE -> {
          // counted and dropped by the bus
        }
        default -> throw new AssertionError("unknown code " + kind);
      }
      return kind;
    }
  }
}
