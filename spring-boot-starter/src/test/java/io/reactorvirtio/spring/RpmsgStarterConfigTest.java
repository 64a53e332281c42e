package io.reactorvirtio.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.spring.autoconfigure.RpmsgAutoConfiguration;
import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.transport.epf.sim.SimulatedEpf;
import io.reactorvirtio.vhost.transport.VhostTransportLink;
import io.reactorvirtio.virtio.LinkState;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The starter's start-up checks and health, with contexts that start (or refuse to) in milliseconds. */
class RpmsgStarterConfigTest {

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(RpmsgAutoConfiguration.class));

  static class UnknownLink {
    @RpmsgEndpoint(link = "nope", name = "x")
    void handle(String s) {}
  }

  static class Twice {
    @RpmsgEndpoint(link = "a", name = "x")
    void one(String s) {}

    @RpmsgEndpoint(link = "a", name = "x")
    void two(byte[] s) {}
  }

  static class BadSignature {
    @RpmsgEndpoint(link = "a", name = "x")
    Integer handle(Long l) {
      return 1;
    }
  }

  String path() {
    return shm.newPath("cfg").toString();
  }

  @Test
  void anEndpointOnAnUnconfiguredLinkStopsTheStartNamingTheLinkAndTheMethod() {
    runner.withPropertyValues("rpmsg.links.a.path=" + path()).withBean(UnknownLink.class).run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("UnknownLink.handle")
          .hasMessageContaining("'nope'").hasMessageContaining("[a]");
    });
  }

  @Test
  void theSameEndpointTwiceOnALinkStopsTheStartNamingBothMethods() {
    runner.withPropertyValues("rpmsg.links.a.path=" + path()).withBean(Twice.class).run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("declared twice")
          .hasMessageContaining("Twice.one").hasMessageContaining("Twice.two");
    });
  }

  @Test
  void aMethodTheAnnotationCannotCallStopsTheStartSayingWhatItTakes() {
    runner.withPropertyValues("rpmsg.links.a.path=" + path()).withBean(BadSignature.class).run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("BadSignature.handle")
          .hasMessageContaining("java.lang.Long");
    });
  }

  @Test
  void anUnknownTransportIsABindingErrorNamingTheProperty() {
    runner.withPropertyValues("rpmsg.links.a.transport=pcie-magic").run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(ctx.getStartupFailure()).hasStackTraceContaining("rpmsg.links.a.transport");
    });
  }

  @Test
  void aDriverLinkIsDownUntilADeviceAttachesUpWhileItIsAndDownWhenItLeaves() throws Exception {
    Path file = shm.newPath("health");
    runner.withPropertyValues("rpmsg.links.rc.path=" + file, "rpmsg.links.rc.liveness=300ms").run(ctx -> {
      assertThat(ctx).hasNotFailed();
      HealthIndicator rc = (HealthIndicator) ctx.getBean("rpmsgHealthContributor", CompositeHealthContributor.class)
          .getContributor("rc");
      assertThat(rc.health().getStatus()).isEqualTo(Status.DOWN);
      assertThat(rc.health().getDetails()).containsEntry("state", "DOWN").containsEntry("role", "driver");
      assertThat(Files.exists(file)).isTrue();
      RpmsgLinks links = ctx.getBean(RpmsgLinks.class);
      try (VhostTransportLink device = VhostTransportLink.create(SimulatedEpf.endpoint(file),
          ShmLinkOptions.defaults().withLiveness(Duration.ofMillis(300)))) {
        assertThat(links.states("rc").filter(s -> s == LinkState.UP).blockFirst(Duration.ofSeconds(10)))
            .isEqualTo(LinkState.UP);
        assertThat(rc.health().getStatus()).isEqualTo(Status.UP);
      }
      assertThat(links.states("rc").filter(s -> s != LinkState.UP).blockFirst(Duration.ofSeconds(10)))
          .isNotEqualTo(LinkState.UP);
      assertThat(rc.health().getStatus()).isEqualTo(Status.DOWN);
      assertThat(rc.health().getDetails()).containsKey("lastProblem");
    });
    assertThat(Files.exists(file)).as("the driver link deletes its file when the context closes").isFalse();
  }

  @Test
  void aDeviceLinkWaitsForItsDriverAndSaysWhy() {
    Path file = shm.newPath("waiting");
    runner.withPropertyValues("rpmsg.links.ep.role=device", "rpmsg.links.ep.path=" + file).run(ctx -> {
      assertThat(ctx).hasNotFailed();
      RpmsgLinks links = ctx.getBean(RpmsgLinks.class);
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (links.waitingFor("ep") == null && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(links.waitingFor("ep")).contains(file.getFileName().toString());
      assertThat(links.state("ep")).isEqualTo(LinkState.DOWN);
    });
  }
}
