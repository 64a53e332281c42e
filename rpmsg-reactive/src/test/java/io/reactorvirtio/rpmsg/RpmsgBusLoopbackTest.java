package io.reactorvirtio.rpmsg;

import static io.reactorvirtio.rpmsg.Loopback.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.testsupport.ShmFiles;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** Driver-role and device-role buses of one shared file in one JVM: announce, bind, exchange, destroy, echo. */
class RpmsgBusLoopbackTest {

  private static final Duration T = Duration.ofSeconds(10);

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  @ParameterizedTest(name = "announcer is the {0}")
  @ValueSource(strings = {"device", "driver"})
  void announceBindExchangeDestroy(String announcer) {
    try (Loopback lb = new Loopback(shm.newPath("nsx"))) {
      RpmsgBus a = announcer.equals("device") ? lb.device : lb.driver;
      RpmsgBus b = announcer.equals("device") ? lb.driver : lb.device;
      List<ChannelEvent> seenByB = new CopyOnWriteArrayList<>();
      Disposable watch = b.channelEvents().subscribe(seenByB::add);

      RpmsgEndpoint served = a.createEndpoint(EndpointOptions.named("rpmsg-echo").announced()).block(T);
      assertThat(served.address()).isEqualTo(RpmsgAddress.FIRST_DYNAMIC);
      assertThat(served.destination()).isEqualTo(RpmsgAddress.ANY);

      RpmsgChannel ch = b.channel("rpmsg-echo").block(T);
      assertThat(ch.name()).isEqualTo("rpmsg-echo");
      assertThat(ch.address()).isEqualTo(served.address());
      assertThat(ch.origin()).isEqualTo(RpmsgChannel.Origin.REMOTE);
      assertThat(b.remoteChannels()).containsExactly(ch);

      RpmsgEndpoint client = b.createEndpoint(EndpointOptions.forChannel(ch)).block(T);
      assertThat(client.destination()).isEqualTo(served.address());

      // b -> a; a adopts b's address from the first message (OpenAMP) and answers.
      client.send(Mono.just(utf8("ping"))).block(T);
      StepVerifier.create(served.receive().take(1).map(m -> {
        String s = m.toUtf8() + " from " + m.source() + " to " + m.destination();
        m.release();
        return s;
      })).expectNext("ping from " + client.address() + " to " + served.address()).expectComplete().verify(T);
      assertThat(served.destination()).isEqualTo(client.address());
      served.send(Mono.just(utf8("pong"))).block(T);
      StepVerifier.create(client.receive().take(1).map(m -> {
        String s = m.toUtf8() + " from " + m.source();
        m.release();
        return s;
      })).expectNext("pong from " + served.address()).expectComplete().verify(T);

      // Destroy: b sees the channel go, and the client is unbound (OpenAMP).
      served.close().block(T);
      assertThat(served.isClosed()).isTrue();
      waitFor(() -> b.remoteChannels().isEmpty());
      waitFor(() -> client.destination() == RpmsgAddress.ANY);
      assertThat(seenByB).hasSize(2);
      assertThat(seenByB.get(0)).isEqualTo(new ChannelEvent.Created(ch));
      assertThat(seenByB.get(1)).isEqualTo(new ChannelEvent.Destroyed(ch));
      // A message to the closed endpoint is counted at a, not delivered anywhere.
      client.sendTo(ch.address(), Mono.just(utf8("late")), T).block(T);
      waitFor(() -> a.stats().droppedUnknownAddress() == 1);
      watch.dispose();
      assertThat(a.stats().dropped()).isEqualTo(1);
      assertThat(b.stats().dropped()).isZero();
    }
  }

  @Test
  void aServerAnswersEachRequestAtItsSourceWithSendEach() {
    try (Loopback lb = new Loopback(shm.newPath("sendeach"))) {
      RpmsgEndpoint served = lb.device.createEndpoint(EndpointOptions.named("svc").announced()).block(T);
      // Each reply goes to whoever asked, not to the first client the endpoint heard from.
      Disposable server = served.sendEach(served.receive(), RpmsgMessage::source, (RpmsgMessage m, MemorySegment buf) -> {
        String answer = "re: " + m.toUtf8();
        m.release();
        MemorySegment a = utf8(answer);
        MemorySegment.copy(a, 0, buf, 0, a.byteSize());
        return (int) a.byteSize();
      }).subscribe();
      RpmsgChannel ch = lb.driver.channel("svc").block(T);
      RpmsgEndpoint first = lb.driver.createEndpoint(EndpointOptions.forChannel(ch)).block(T);
      RpmsgEndpoint second = lb.driver.createEndpoint(EndpointOptions.forChannel(ch)).block(T);
      for (int round = 0; round < 3; round++) {
        for (RpmsgEndpoint client : List.of(first, second)) {
          String q = "q" + round + " from " + client.address();
          client.send(Mono.just(utf8(q))).block(T);
          StepVerifier.create(client.receive().take(1).map(m -> {
            String s = m.toUtf8();
            m.release();
            return s;
          })).expectNext("re: " + q).expectComplete().verify(T);
        }
      }
      assertThat(served.destination()).isEqualTo(first.address()); // bound to the first, yet both were answered
      server.dispose();
    }
  }

  @Test
  void tenThousandEchoRoundTripsOfEverySize0To496() {
    try (Loopback lb = new Loopback(shm.newPath("echo10k"))) {
      RpmsgEndpoint server = lb.device.createEndpoint(EndpointOptions.named("echo").announced()).block(T);
      Disposable echo = Loopback.echo(server);
      RpmsgEndpoint client = lb.driver.openChannel("echo").block(T);
      int n = 10_000;
      AtomicInteger next = new AtomicInteger();
      AtomicInteger bad = new AtomicInteger(-1);
      Sinks.Many<MemorySegment> out = Sinks.many().unicast().onBackpressureBuffer();
      Disposable sending = client.send(out.asFlux()).subscribe();
      long t0 = System.nanoTime();
      Mono<Long> got = client.receive().take(n).doOnNext(m -> {
        int seq = next.getAndIncrement();
        if (!Loopback.matches(seq, m.data()) && bad.get() < 0) {
          bad.set(seq);
        }
        m.release();
        if (seq + 1 < n) {
          out.tryEmitNext(Loopback.payload(seq + 1));
        }
      }).count();
      out.tryEmitNext(Loopback.payload(0));
      assertThat(got.block(Duration.ofSeconds(60))).isEqualTo(n);
      long micros = (System.nanoTime() - t0) / 1000;
      System.out.printf("rpmsg echo: %d round trips in %d ms (%.1f us each)%n", n, micros / 1000, micros / (double) n);
      assertThat(bad.get()).as("first sequence with a wrong payload").isEqualTo(-1);
      sending.dispose();
      echo.dispose();
      assertThat(lb.driver.stats().dropped()).isZero();
      assertThat(lb.device.stats().dropped()).isZero();
      assertThat(lb.driver.stats().delivered()).isEqualTo(n);
      assertThat(lb.device.stats().delivered()).isEqualTo(n);
      assertThat(lb.driverLink.queue(0).outstandingLeases()).isZero();
    }
  }

  @Test
  void pipelinedStreamKeepsOrderAndContentAcrossEverySize() {
    try (Loopback lb = new Loopback(shm.newPath("stream"))) {
      RpmsgEndpoint server = lb.driver.createEndpoint(EndpointOptions.named("sink").announced()).block(T);
      RpmsgEndpoint client = lb.device.openChannel("sink").block(T);
      int n = 20_000;
      AtomicLong bad = new AtomicLong(-1);
      AtomicInteger next = new AtomicInteger();
      Mono<Long> got = server.receive().take(n).doOnNext(m -> {
        int seq = next.getAndIncrement();
        if (!Loopback.matches(seq, m.data()) && bad.get() < 0) {
          bad.set(seq);
        }
        m.release();
      }).count();
      Mono<Void> sent = client.send(Flux.range(0, n).map(Loopback::payload));
      assertThat(Mono.zip(got, sent.thenReturn(0)).block(Duration.ofSeconds(60)).getT1()).isEqualTo(n);
      assertThat(bad.get()).isEqualTo(-1);
    }
  }

  @Test
  void bothSidesAnnouncingTheSameNameBindToEachOther() {
    // OpenAMP's demo: each side announces its endpoint; each binds to the other's announcement.
    try (Loopback lb = new Loopback(shm.newPath("both"))) {
      RpmsgEndpoint d = lb.driver.createEndpoint(EndpointOptions.named("demo").announced()).block(T);
      RpmsgEndpoint v = lb.device.createEndpoint(EndpointOptions.named("demo").announced()).block(T);
      assertThat(d.bound().block(T)).isEqualTo(v.address());
      assertThat(v.bound().block(T)).isEqualTo(d.address());
      v.send(Mono.just(utf8("device first"))).block(T);
      d.send(Mono.just(utf8("driver first"))).block(T);
      assertThat(d.receive().next().map(m -> {
        String s = m.toUtf8();
        m.release();
        return s;
      }).block(T)).isEqualTo("device first");
      assertThat(v.receive().next().map(m -> {
        String s = m.toUtf8();
        m.release();
        return s;
      }).block(T)).isEqualTo("driver first");
    }
  }

  @Test
  void addressServiceLetsTheAnnouncerSendFirst() {
    RpmsgOptions withAs = RpmsgOptions.defaults().withAddressService();
    try (Loopback lb = new Loopback(shm.newPath("as"), withAs)) {
      RpmsgEndpoint served = lb.device.createEndpoint(EndpointOptions.named("svc").announced()).block(T);
      RpmsgChannel ch = lb.driver.channel("svc").block(T);
      assertThat(ch.addressService()).isTrue();
      RpmsgEndpoint client = lb.driver.createEndpoint(EndpointOptions.forChannel(ch)).block(T);
      // No message from the client: the announcer learns its address from the AS ASSIGN alone.
      assertThat(served.bound().block(T)).isEqualTo(client.address());
      served.send(Mono.just(utf8("hello first"))).block(T);
      assertThat(client.receive().next().map(m -> {
        String s = m.toUtf8();
        m.release();
        return s;
      }).block(T)).isEqualTo("hello first");
      // Closing the client frees the assignment (AS FREE).
      client.close().block(T);
      waitFor(() -> served.destination() == RpmsgAddress.ANY);
      assertThat(lb.device.stats().dropped()).isZero();
    }
  }

  @Test
  void withoutAddressServiceTheAnnouncerWaitsBoundedAndFailsClearly() {
    try (Loopback lb = new Loopback(shm.newPath("noas"))) {
      RpmsgEndpoint served = lb.device.createEndpoint(EndpointOptions.named("svc").announced()).block(T);
      RpmsgChannel ch = lb.driver.channel("svc").block(T);
      assertThat(ch.addressService()).isFalse();
      lb.driver.createEndpoint(EndpointOptions.forChannel(ch)).block(T);
      StepVerifier.create(served.send(Mono.just(utf8("too early")), Duration.ofMillis(300)))
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RpmsgTimeoutException.class)
              .hasMessageContaining("'svc' @1024")
              .hasMessageContaining("PT0.3S")
              .hasMessageContaining("peer's address"))
          .verify(T);
    }
  }

  @Test
  void sendingBeforeTheAddressIsKnownWaitsForIt() {
    try (Loopback lb = new Loopback(shm.newPath("wait"))) {
      RpmsgEndpoint early = lb.driver.createEndpoint(EndpointOptions.named("late-svc")).block(T);
      var received = early.send(Mono.just(utf8("queued until bound"))).toFuture();
      sleep(100);
      assertThat(received).isNotDone();
      RpmsgEndpoint svc = lb.device.createEndpoint(EndpointOptions.named("late-svc").announced()).block(T);
      received.join();
      assertThat(svc.receive().next().map(m -> {
        String s = m.toUtf8();
        m.release();
        return s;
      }).block(T)).isEqualTo("queued until bound");
    }
  }

  @Test
  void fixedAddressesAreExactAndDynamicOnesStartAt1024() {
    try (Loopback lb = new Loopback(shm.newPath("addr"))) {
      RpmsgEndpoint a = lb.driver.createEndpoint(EndpointOptions.anonymous()).block(T);
      RpmsgEndpoint b = lb.driver.createEndpoint(EndpointOptions.anonymous()).block(T);
      RpmsgEndpoint fixed = lb.driver.createEndpoint(EndpointOptions.named("f").at(2000)).block(T);
      assertThat(a.address()).isEqualTo(1024);
      assertThat(b.address()).isEqualTo(1025);
      assertThat(fixed.address()).isEqualTo(2000);
      StepVerifier.create(lb.driver.createEndpoint(EndpointOptions.named("g").at(2000)))
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RpmsgAddressInUseException.class)
              .hasMessageContaining("2000"))
          .verify(T);
      fixed.close().block(T);
      assertThat(lb.driver.createEndpoint(EndpointOptions.named("g").at(2000)).block(T).address()).isEqualTo(2000);
    }
  }

  @Test
  void oversizedPayloadFailsBeforeAnythingOfItIsSentAndEarlierOnesArrive() {
    try (Loopback lb = new Loopback(shm.newPath("big"))) {
      RpmsgEndpoint server = lb.device.createEndpoint(EndpointOptions.named("big").announced()).block(T);
      RpmsgEndpoint client = lb.driver.openChannel("big").block(T);
      assertThat(client.mtu()).isEqualTo(496);
      var got = server.receive().map(m -> {
        String s = m.toUtf8();
        m.release();
        return s;
      }).take(3).collectList().toFuture();
      Flux<MemorySegment> batch = Flux.just("a", "b", "x".repeat(497), "c").map(Loopback::utf8);
      StepVerifier.create(client.send(batch))
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RpmsgMessageTooLargeException.class)
              .hasMessageContaining("'big' @1024")
              .hasMessageContaining("497")
              .hasMessageContaining("496"))
          .verify(T);
      // Exactly the MTU still goes; nothing of the oversized one arrived in between.
      client.send(Mono.just(utf8("y".repeat(496)))).block(T);
      assertThat(got.join()).containsExactly("a", "b", "y".repeat(496));
      assertThat(lb.device.stats().dropped()).isZero();
    }
  }

  @Test
  void withoutTheNameServiceFeatureAnnouncementsAreNeitherSentNorUnderstood() {
    var link = io.reactorvirtio.virtio.link.ShmLinkOptions.defaults();
    try (Loopback lb = new Loopback(shm.newPath("nons"), link, RpmsgOptions.defaults().withFeatures(),
        RpmsgOptions.defaults())) {
      assertThat(lb.driver.options().has(RpmsgFeature.NAME_SERVICE)).isFalse();
      // The device announces; to a driver without VIRTIO_RPMSG_F_NS, address 53 is just an unknown address.
      lb.device.createEndpoint(EndpointOptions.named("svc").announced()).block(T);
      waitFor(() -> lb.driver.stats().droppedUnknownAddress() == 1);
      assertThat(lb.driver.remoteChannels()).isEmpty();
      StepVerifier.create(lb.driver.channel("svc", Duration.ofMillis(200)))
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RpmsgTimeoutException.class)
              .hasMessageContaining("did not announce channel 'svc'"))
          .verify(T);
      // And the driver's "announced" endpoint sends nothing to 53.
      lb.driver.createEndpoint(EndpointOptions.named("quiet").announced()).block(T);
      RpmsgBusLoopbackTest.sleep(100);
      assertThat(lb.device.remoteChannels()).isEmpty();
      assertThat(lb.driver.stats().sent()).isZero();
    }
  }

  @ParameterizedTest(name = "buffer size {0}")
  @ValueSource(ints = {256, 1024})
  void mtuFollowsTheLinksBufferSize(int bufferSize) {
    var link = io.reactorvirtio.virtio.link.ShmLinkOptions.defaults().withQueueSize(16).withBufferSize(bufferSize);
    try (Loopback lb = new Loopback(shm.newPath("mtu"), link, RpmsgOptions.defaults(), RpmsgOptions.defaults())) {
      int mtu = bufferSize - 16;
      assertThat(lb.driver.mtu()).isEqualTo(mtu);
      assertThat(lb.device.mtu()).isEqualTo(mtu);
      RpmsgEndpoint server = lb.device.createEndpoint(EndpointOptions.named("m").announced()).block(T);
      RpmsgEndpoint client = lb.driver.openChannel("m").block(T);
      var got = server.receive().map(m -> {
        int n = m.length();
        m.release();
        return n;
      }).take(1).collectList().toFuture();
      StepVerifier.create(client.send(Mono.just(MemorySegment.ofArray(new byte[mtu + 1]))))
          .expectError(RpmsgMessageTooLargeException.class).verify(T);
      client.send(Mono.just(MemorySegment.ofArray(new byte[mtu]))).block(T);
      assertThat(got.join()).containsExactly(mtu);
    }
  }

  @Test
  void sendTimeoutNamesTheEndpointAndTheWaitWhenThePeerStopsConsuming() {
    var link = io.reactorvirtio.virtio.link.ShmLinkOptions.defaults().withQueueSize(8);
    try (Loopback lb = new Loopback(shm.newPath("stall"), link, RpmsgOptions.defaults(),
        RpmsgOptions.defaults().withQueueCapacity(2))) {
      RpmsgEndpoint server = lb.device.createEndpoint(EndpointOptions.named("stuck").announced()).block(T);
      RpmsgEndpoint client = lb.driver.openChannel("stuck").block(T);
      // Nobody subscribes to server.receive(): its queue fills, the device stops taking buffers,
      // the driver's 8 transmit buffers run out.
      StepVerifier.create(client.send(Flux.range(0, 100).map(i -> utf8("m" + i)), Duration.ofMillis(300)))
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RpmsgTimeoutException.class)
              .hasMessageContaining("rpmsg endpoint 'stuck' @1024 (driver)")
              .hasMessageContaining("PT0.3S")
              .hasMessageContaining("free ring buffer"))
          .verify(T);
      // Lossless: what was sent is all still there, in order.
      List<String> got = server.receive().map(m -> {
        String s = m.toUtf8();
        m.release();
        return s;
      }).take(Duration.ofMillis(500)).collectList().block(T);
      assertThat(got).isNotEmpty();
      for (int i = 0; i < got.size(); i++) {
        assertThat(got.get(i)).isEqualTo("m" + i);
      }
      assertThat(lb.device.stats().dropped()).isZero();
    }
  }

  static void waitFor(java.util.function.BooleanSupplier cond) {
    long deadline = System.nanoTime() + T.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + T);
      }
      sleep(2);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
