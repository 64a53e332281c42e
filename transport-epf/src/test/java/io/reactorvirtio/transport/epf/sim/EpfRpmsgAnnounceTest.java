package io.reactorvirtio.transport.epf.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.rpmsg.EndpointOptions;
import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.rpmsg.RpmsgOptions;
import io.reactorvirtio.rpmsg.virtio.RpmsgVirtio;
import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.vhost.transport.VhostTransportLink;
import io.reactorvirtio.virtio.transport.VirtioTransportLink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;

class EpfRpmsgAnnounceTest {

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  @Test
  void severalEndpointsAnnouncedAtOnceAsTheDeviceBusComesUpAllReachTheDriver() {
    Path file = shm.newPath("epf-ns");
    Duration t = Duration.ofSeconds(10);
    try (VirtioTransportLink rc = VirtioTransportLink.create(SimulatedEpf.rootComplex(file, EpfSimOptions.defaults()),
        EpfSimLinkTest.OPTIONS);
        RpmsgBus driver = RpmsgVirtio.driver(rc, RpmsgOptions.defaults().withName("rc"));
        VhostTransportLink ep = VhostTransportLink.create(SimulatedEpf.endpoint(file),
            EpfSimLinkTest.OPTIONS.withIdle(io.reactorvirtio.virtio.IdlePolicy.parkOnly()))) {
      List<String> names = List.of("a", "b", "c", "d");
      // Created from the thread that hands out the bus (the device's poller), all at once.
      RpmsgBus device = RpmsgVirtio.device(ep, RpmsgOptions.defaults().withName("ep"))
          .doOnNext(bus -> names.forEach(n -> bus.createEndpoint(EndpointOptions.named(n).announced())
              .flatMap(e -> e.sendEach(e.receive().flatMapSequential(m -> reactor.core.publisher.Mono.just(m)
                  .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()), 1, 1),
                  io.reactorvirtio.rpmsg.RpmsgMessage::source, (io.reactorvirtio.rpmsg.RpmsgMessage m,
                  java.lang.foreign.MemorySegment buf) -> {
                    int len = m.length();
                    m.copyTo(buf, 0);
                    m.release();
                    return len;
                  })).subscribe()))
          .block(t);
      List<String> seen = Flux.fromIterable(names).flatMap(n -> driver.channel(n, t)).map(c -> c.name()).collectList()
          .block(t);
      assertThat(seen).containsExactlyInAnyOrderElementsOf(names);
      device.close();
    }
  }
}
