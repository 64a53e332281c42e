package io.reactorvirtio.transport.openamp;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.transport.openamp.OpenAmpOptions.VirtioRole;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;

/** rpmsg-reactive on two OpenAMP links: the device announces OpenAMP's demo channel and echoes. */
class RpmsgOverOpenAmpTest {

  static final Duration T = Duration.ofSeconds(30);

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  @ParameterizedTest(name = "socket server = {0}")
  @EnumSource(VirtioRole.class)
  void deviceAnnouncesAndEchoesWhatTheDriverSends(VirtioRole serverRole) {
    Path file = shm.newPath("openamp-rpmsg");
    Path socket = shm.newPath("openamp-sock");
    OpenAmpLink[] links = OpenAmpLinkTest.pair(file, socket, serverRole);
    int n = 500;
    try (OpenAmpLink driverLink = links[0]; OpenAmpLink deviceLink = links[1];
        RpmsgBus driver = RpmsgEcho.bus(driverLink, "driver");
        RpmsgBus device = RpmsgEcho.bus(deviceLink, "device")) {
      var result = Mono.zip(RpmsgEcho.serve(device, n, T), RpmsgEcho.ping(driver, n, T)).block(T);
      assertThat(result.getT1()).isEqualTo(n);
      assertThat(result.getT2()).isEqualTo(n);
    }
  }
}
