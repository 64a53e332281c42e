package io.reactorvirtio.rpmsg.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each seed of {@link InboundFrameFuzzTest} is what its name says (so the regression run covers every branch). */
class InboundFrameFuzzSeedsTest {

  private static final String DIR = "InboundFrameFuzzTestInputs/classifyAndDecode/";

  private static byte[] seed(String name) throws IOException {
    try (InputStream in = InboundFrameFuzzSeedsTest.class.getResourceAsStream(DIR + name)) {
      assertThat(in).as("seed " + name).isNotNull();
      return in.readAllBytes();
    }
  }

  @Test
  void seedsCoverEveryClassification() throws IOException {
    Map<String, Integer> expected = Map.of(
        "ns-destroy-openamp", InboundFrame.NAME_SERVICE,
        "ns-create-512-used", InboundFrame.NAME_SERVICE,
        "ns-wrong-size", InboundFrame.BAD_NAME_SERVICE,
        "ns-unterminated", InboundFrame.NAME_SERVICE,
        "as-assign", InboundFrame.ADDRESS_SERVICE,
        "data-272-scribbled", InboundFrame.DATA,
        "len-past-buffer", InboundFrame.BAD_HEADER,
        "short", InboundFrame.BAD_HEADER,
        "empty", InboundFrame.BAD_HEADER);
    for (var e : expected.entrySet()) {
      byte[] s = seed(e.getKey());
      int flags = s[0];
      byte[] body = Arrays.copyOfRange(s, 1, s.length);
      assertThat(InboundFrameFuzzTest.check((flags & 1) != 0, (flags & 2) != 0, body)).as(e.getKey())
          .isEqualTo(e.getValue());
    }
    // With AS not negotiated, the address-service seed is plain data for address 54 (unknown there).
    byte[] as = seed("as-assign");
    assertThat(InboundFrameFuzzTest.check(true, false, Arrays.copyOfRange(as, 1, as.length)))
        .isEqualTo(InboundFrame.DATA);
  }
}
