package io.reactorvirtio.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.rpmsg.RpmsgEndpoint;
import io.reactorvirtio.rpmsg.RpmsgMessage;
import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.virtio.LinkState;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A real Spring Boot application with both ends of a simulated EPF link ({@code rc}: driver,
 * {@code ep}: device) on one shared file, {@code @RpmsgEndpoint} methods on the device side, and
 * Actuator over HTTP (WebFlux on a random port).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "management.endpoints.web.exposure.include=health,metrics,rpmsg",
    "management.endpoint.health.show-details=always",
    "rpmsg.links.rc.transport=epf", "rpmsg.links.rc.role=driver", "rpmsg.links.rc.queue-size=64",
    "rpmsg.links.ep.transport=epf", "rpmsg.links.ep.role=device", "rpmsg.links.ep.queue-size=64",
    "rpmsg.links.ep.idle=park-only"})
@DirtiesContext
class RpmsgStarterIT {

  static final Path FILE = ShmFiles.unique("starter");
  static final Duration T = Duration.ofSeconds(20);

  @DynamicPropertySource
  static void paths(DynamicPropertyRegistry r) {
    r.add("rpmsg.links.rc.path", FILE::toString);
    r.add("rpmsg.links.ep.path", FILE::toString);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    Files.deleteIfExists(FILE);
  }

  @SpringBootApplication
  static class App {
    @Bean
    Handlers handlers() {
      return new Handlers();
    }
  }

  static class Handlers {
    final AtomicInteger consumed = new AtomicInteger();

    @io.reactorvirtio.spring.RpmsgEndpoint(link = "ep", name = "echo")
    String echo(String request) {
      return "echo: " + request;
    }

    @io.reactorvirtio.spring.RpmsgEndpoint(link = "ep", name = "upper", blocking = false)
    Mono<byte[]> upper(RpmsgMessage m) {
      return Mono.just(m.toUtf8().toUpperCase().getBytes(StandardCharsets.UTF_8));
    }

    @io.reactorvirtio.spring.RpmsgEndpoint(link = "ep", name = "sink", blocking = false)
    void sink(MemorySegment payload) {
      consumed.incrementAndGet();
    }

    @io.reactorvirtio.spring.RpmsgEndpoint(link = "ep", name = "flaky")
    String flaky(String request) {
      if (request.startsWith("bad")) {
        throw new IllegalArgumentException("refusing " + request);
      }
      return "ok " + request;
    }
  }

  @Autowired RpmsgLinks links;
  @Autowired Handlers handlers;
  @LocalServerPort int port;

  List<String> exchange(String channel, List<String> requests, int replies) {
    RpmsgBus bus = links.bus("rc").block(T);
    RpmsgEndpoint ep = bus.openChannel(channel).block(T);
    try {
      Mono<List<String>> back = ep.receive().take(replies).map(m -> {
        String s = m.toUtf8();
        m.release();
        return s;
      }).collectList();
      return Mono.zip(back, ep.send(Flux.fromIterable(requests)
          .map(s -> MemorySegment.ofArray(s.getBytes(StandardCharsets.UTF_8)))).thenReturn(0)).block(T).getT1();
    } finally {
      ep.close().block(T);
    }
  }

  String get(String path) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(200);
    return r.body();
  }

  @Test
  void aBlockingHandlerRepliesToEachRequestInOrder() {
    List<String> requests = Flux.range(0, 200).map(i -> "m" + i).collectList().block();
    assertThat(exchange("echo", requests, 200)).containsExactlyElementsOf(requests.stream().map(s -> "echo: " + s).toList());
  }

  @Test
  void aNonBlockingMonoHandlerAndAVoidHandlerRunOnThePoller() {
    assertThat(exchange("upper", List.of("abc", "xyz"), 2)).containsExactly("ABC", "XYZ");
    RpmsgEndpoint ep = links.bus("rc").block(T).openChannel("sink").block(T);
    ep.send(Flux.range(0, 50).map(i -> MemorySegment.ofArray(new byte[] {i.byteValue()}))).block(T);
    long deadline = System.nanoTime() + T.toNanos();
    while (handlers.consumed.get() < 50 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(handlers.consumed.get()).isEqualTo(50);
    ep.close().block(T);
  }

  @Test
  void aHandlerThatThrowsIsCountedAndTheEndpointGoesOn() throws Exception {
    assertThat(exchange("flaky", List.of("a", "bad1", "b", "bad2", "c"), 3)).containsExactly("ok a", "ok b", "ok c");
    String errors = get("/actuator/metrics/rpmsg.endpoint.handler?tag=channel:flaky&tag=outcome:error");
    assertThat(errors).contains("\"statistic\":\"COUNT\",\"value\":2.0");
  }

  @Test
  void actuatorShowsEachLinkUpWithItsChannelsAndMetersOverHttp() throws Exception {
    assertThat(links.states("ep").filter(s -> s == LinkState.UP).blockFirst(T)).isEqualTo(LinkState.UP);
    exchange("echo", List.of("ping"), 1);
    String health = get("/actuator/health/rpmsg");
    assertThat(health).contains("\"status\":\"UP\"").contains("\"rc\"").contains("\"ep\"")
        .contains("\"transport\":\"epf\"").contains("\"role\":\"device\"");
    // The driver side hears the device's announcements.
    assertThat(get("/actuator/rpmsg/rc")).contains("echo@").contains("upper@").contains("\"state\":\"UP\"");
    String received = get("/actuator/metrics/rpmsg.messages.received?tag=link:ep");
    assertThat(received).contains("\"name\":\"rpmsg.messages.received\"");
    double count = Double.parseDouble(received.replaceAll(".*\"value\":([0-9.E]+).*", "$1"));
    assertThat(count).isGreaterThanOrEqualTo(1);
    assertThat(get("/actuator/metrics/rpmsg.link.up?tag=link:rc")).contains("\"value\":1.0");
  }
}
