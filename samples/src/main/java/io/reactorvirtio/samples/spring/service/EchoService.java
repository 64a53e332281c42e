package io.reactorvirtio.samples.spring.service;

import io.reactorvirtio.spring.RpmsgEndpoint;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;

/**
 * A service on the device side of a link (the PCIe endpoint function): one {@code @RpmsgEndpoint}
 * method, announced as {@code rpmsg-echo}, answering whoever asks. Run it with the link's file:
 * {@code EchoService /dev/shm/soc1} (it waits for the driver if the file is not there yet).
 */
@SpringBootApplication
public class EchoService {

  /** The handler bean. */
  public static class Handlers {
    @RpmsgEndpoint(link = "soc1", name = "rpmsg-echo")
    public String echo(String request) {
      return "echo: " + request;
    }
  }

  @Bean
  Handlers handlers() {
    return new Handlers();
  }

  public static void main(String[] args) {
    new SpringApplicationBuilder(EchoService.class).web(WebApplicationType.NONE).properties(
        "rpmsg.links.soc1.transport=epf", "rpmsg.links.soc1.role=device", "rpmsg.links.soc1.path=" + args[0],
        "spring.main.banner-mode=off", "spring.main.keep-alive=true").run(args);
    System.out.println("echo service running on " + args[0]);
  }
}
