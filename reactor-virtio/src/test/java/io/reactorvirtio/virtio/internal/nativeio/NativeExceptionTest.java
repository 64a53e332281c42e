package io.reactorvirtio.virtio.internal.nativeio;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class NativeExceptionTest {

  @Test
  void messageNamesCallAndErrno() {
    NativeException e = new NativeException("futex(FUTEX_WAIT)", 14);
    assertThat(e.getMessage()).isEqualTo("futex(FUTEX_WAIT) failed: errno 14 (EFAULT)");
    assertThat(e.call()).isEqualTo("futex(FUTEX_WAIT)");
    assertThat(e.errno()).isEqualTo(14);
    assertThat(e.getCause()).isInstanceOf(IOException.class).hasMessage(e.getMessage());
  }

  @Test
  void detailIsAppendedAndUnknownErrnoShown() {
    assertThat(new NativeException("open", 2, "/nope").getMessage())
        .isEqualTo("open failed: errno 2 (ENOENT): /nope");
    assertThat(new NativeException("x", 999).getMessage()).isEqualTo("x failed: errno 999 (?)");
  }
}
