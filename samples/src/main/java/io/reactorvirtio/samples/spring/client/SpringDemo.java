package io.reactorvirtio.samples.spring.client;

import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.rpmsg.RpmsgEndpoint;
import io.reactorvirtio.samples.spring.service.EchoService;
import io.reactorvirtio.spring.RpmsgLinks;
import io.reactorvirtio.virtio.LinkState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Two Spring Boot applications on one simulated PCIe link: this one is the root complex (virtio
 * driver, link {@code soc1} in the driver role); {@link EchoService} runs in a second JVM as the
 * endpoint function. This side opens the service's announced channel through {@link RpmsgLinks}
 * and checks 10,000 request/reply pairs.
 *
 * <p>Run: {@code mvn -Pdemo -DskipTests -pl samples -am verify -Ddemo.main=io.reactorvirtio.samples.spring.client.SpringDemo}
 */
@SpringBootApplication
public class SpringDemo {

  public static void main(String[] args) throws Exception {
    Path file = Path.of("/dev/shm", "reactor-virtio-spring-demo-" + ProcessHandle.current().pid());
    Duration t = Duration.ofSeconds(30);
    Process service = null;
    try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(SpringDemo.class)
        .web(WebApplicationType.NONE)
        .properties("rpmsg.links.soc1.transport=epf", "rpmsg.links.soc1.role=driver",
            "rpmsg.links.soc1.path=" + file, "spring.main.banner-mode=off")
        .run()) {
      service = start(file);
      RpmsgLinks links = ctx.getBean(RpmsgLinks.class);
      links.states("soc1").filter(s -> s == LinkState.UP).blockFirst(t);
      System.out.println("driver: link soc1 UP (simulated PCIe, " + file + ")");
      RpmsgBus bus = links.bus("soc1").block(t);
      RpmsgEndpoint ep = bus.openChannel("rpmsg-echo").block(t);
      System.out.println("driver: channel rpmsg-echo bound: " + ep.address() + " -> " + ep.destination());
      int n = 10_000;
      long start = System.nanoTime();
      List<String> replies = Mono.zip(
          ep.receive().take(n).map(m -> {
            String s = m.toUtf8();
            m.release();
            return s;
          }).collectList(),
          ep.send(Flux.range(0, n).map(i -> MemorySegment.ofArray(("request " + i).getBytes(StandardCharsets.UTF_8))))
              .thenReturn(0)).block(t).getT1();
      double secs = (System.nanoTime() - start) / 1e9;
      for (int i = 0; i < n; i++) {
        if (!replies.get(i).equals("echo: request " + i)) {
          throw new IllegalStateException("reply " + i + " was '" + replies.get(i) + "'");
        }
      }
      System.out.printf("driver: %,d requests answered by the @RpmsgEndpoint method in order in %.2f s (%,.0f/s)%n",
          n, secs, n / secs);
    } finally {
      if (service != null) {
        service.destroy();
        service.waitFor();
      }
    }
  }

  private static Process start(Path file) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        EchoService.class.getName(), file.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Thread.ofPlatform().daemon().start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (!line.startsWith("WARNING")) {
            System.out.println("  [service pid " + p.pid() + "] " + line);
          }
        }
      } catch (Exception ignored) {
        // the service exited
      }
    });
    return p;
  }
}
