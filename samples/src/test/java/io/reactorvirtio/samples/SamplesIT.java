package io.reactorvirtio.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.reactorvirtio.samples.spring.client.SpringDemo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The samples run as a user runs them: each main starts its second JVM, checks every reply itself
 * (and throws on the first wrong one), and leaves no shared file behind.
 */
class SamplesIT {

  static long demoFiles() throws Exception {
    try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
      String me = "-" + ProcessHandle.current().pid();
      return s.filter(p -> p.getFileName().toString().startsWith("reactor-virtio-") && p.toString().endsWith(me))
          .count();
    }
  }

  static String run(ThrowingRunnable main) throws Exception {
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true));
    try {
      assertThatCode(main::run).doesNotThrowAnyException();
    } finally {
      System.setOut(old);
    }
    return out.toString();
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void thePingPongDemoRunsOverEachSimulatedLink() throws Exception {
    for (String transport : new String[] {"epf", "ntb", "shm"}) {
      String out = run(() -> PingPongDemo.main(new String[] {"2000", "20000", "64", transport}));
      assertThat(out).contains("round trips of 64 B").contains("streamed 20,000 messages").contains("in order");
    }
    assertThat(demoFiles()).isZero();
  }

  @Test
  void theSpringDemoGetsEveryReplyFromTheRpmsgEndpointServiceInAnotherJvm() throws Exception {
    String out = run(() -> SpringDemo.main(new String[0]));
    assertThat(out).contains("link soc1 UP").contains("10,000 requests answered by the @RpmsgEndpoint method in order");
    assertThat(demoFiles()).isZero();
  }
}
