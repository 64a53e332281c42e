package io.reactorvirtio.rpmsg;

import static io.reactorvirtio.rpmsg.Loopback.utf8;
import static io.reactorvirtio.rpmsg.RpmsgBusLoopbackTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.rpmsg.virtio.RpmsgVirtio;
import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.vhost.link.VhostShmLink;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.LinkDownException;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.link.VirtioShmLink;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The link under a bus goes down and a new one comes up (a peer restart): the bus says so, keeps
 * its endpoints and subscribers, announces again, and binds to the peer's new announcements.
 */
class RpmsgLinkBounceTest {

  private static final Duration T = Duration.ofSeconds(10);
  private static final ShmLinkOptions LINK =
      ShmLinkOptions.defaults().withIdle(IdlePolicy.spinThenPark(Duration.ofNanos(50_000)));

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  private static String text(RpmsgMessage m) {
    String s = m.toUtf8();
    m.release();
    return s;
  }

  @Test
  void linkDownIsAnEventEndpointsStayAndSendsWaitBoundedForTheLink() {
    var file = shm.newPath("down");
    VirtioShmLink driverLink = VirtioShmLink.create(file, LINK);
    try (VhostShmLink deviceLink = VhostShmLink.open(file, LINK.idle(), T);
        RpmsgBus driver = RpmsgVirtio.driver(driverLink, RpmsgOptions.defaults());
        RpmsgBus device = RpmsgVirtio.device(deviceLink, RpmsgOptions.defaults())) {
      device.createEndpoint(EndpointOptions.named("svc").announced()).block(T);
      RpmsgEndpoint ep = driver.openChannel("svc").block(T);
      List<ChannelEvent> events = new CopyOnWriteArrayList<>();
      driver.channelEvents().subscribe(events::add);
      var receiving = ep.receive().then().toFuture();

      driverLink.close();

      waitFor(() -> events.size() == 2);
      assertThat(events.get(0)).isInstanceOfSatisfying(ChannelEvent.LinkDown.class,
          e -> assertThat(e.cause()).isInstanceOf(LinkDownException.class));
      assertThat(events.get(1)).isInstanceOfSatisfying(ChannelEvent.Destroyed.class,
          e -> assertThat(e.channel().name()).isEqualTo("svc"));
      assertThat(driver.isUp()).isFalse();
      assertThat(driver.remoteChannels()).isEmpty();
      assertThat(ep.destination()).as("learned from the peer, forgotten").isEqualTo(RpmsgAddress.ANY);
      assertThat(receiving).as("the endpoint stays open for the next link").isNotDone();
      StepVerifier.create(ep.send(Mono.just(utf8("into the void")), Duration.ofMillis(300)))
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RpmsgTimeoutException.class)
              .hasMessageContaining("'svc' @1024 (rpmsg)")
              .hasMessageContaining("for the link to come back"))
          .verify(T);
      StepVerifier.create(driver.createEndpoint(EndpointOptions.named("new")))
          .expectError(RpmsgLinkDownException.class).verify(T);
    } finally {
      driverLink.close();
    }
  }

  /**
   * The device peer dies without a word (its link stops beating) and a new one attaches to the same
   * file: the driver's link resets the rings, goes DOWN then UP, and the bus follows by itself —
   * no {@code reattach} call — announcing again and rebinding to the new peer's announcement.
   */
  @Test
  void aBusFollowsItsLinkThroughAPeerRestartWithoutHelp() {
    var file = shm.newPath("follow");
    ShmLinkOptions link = LINK.withLiveness(Duration.ofMillis(300));
    try (VirtioShmLink driverLink = VirtioShmLink.create(file, link);
        RpmsgBus bus = RpmsgVirtio.driver(driverLink, RpmsgOptions.defaults())) {
      RpmsgEndpoint ours = bus.createEndpoint(EndpointOptions.named("ours").announced()).block(T);
      RpmsgEndpoint svc = bus.createEndpoint(EndpointOptions.named("svc")).block(T);
      List<String> oursGot = new CopyOnWriteArrayList<>();
      ours.receive().subscribe(m -> oursGot.add(text(m)));
      List<ChannelEvent> events = new CopyOnWriteArrayList<>();
      bus.channelEvents().subscribe(events::add);

      for (int incarnation = 1; incarnation <= 2; incarnation++) {
        try (VhostShmLink peerLink = VhostShmLink.open(file, link.idle(), T);
            RpmsgBus peer = RpmsgVirtio.device(peerLink, RpmsgOptions.defaults().withName("peer" + incarnation))) {
          RpmsgEndpoint peerSvc = peer.createEndpoint(EndpointOptions.named("svc").announced()).block(T);
          var peerGot = peerSvc.receive().take(1).map(RpmsgLinkBounceTest::text).collectList().toFuture();
          waitFor(() -> bus.isUp() && svc.destination() == peerSvc.address());
          svc.send(Mono.just(utf8("to peer " + incarnation)), T).block(T);
          assertThat(peerGot.join()).containsExactly("to peer " + incarnation);
          peer.openChannel("ours").block(T).send(Mono.just(utf8("from peer " + incarnation))).block(T);
          waitFor(() -> oursGot.size() == 1);
          oursGot.clear();
        } // the peer "dies": its link stops beating without closing anything on our side
        waitFor(() -> !bus.isUp());
      }
      assertThat(events).hasAtLeastOneElementOfType(ChannelEvent.LinkDown.class)
          .hasAtLeastOneElementOfType(ChannelEvent.LinkUp.class);
      assertThat(bus.stats().dropped()).isZero();
    }
  }

  @Test
  void afterThePeerRestartsChannelsComeBackAndSubscribersCarryOn() {
    var file1 = shm.newPath("bounce1");
    var file2 = shm.newPath("bounce2");
    VirtioShmLink link1 = VirtioShmLink.create(file1, LINK);
    VhostShmLink peerLink1 = VhostShmLink.open(file1, LINK.idle(), T);
    RpmsgBus peer1 = RpmsgVirtio.device(peerLink1, RpmsgOptions.defaults().withName("peer1"));
    try (RpmsgBus bus = RpmsgVirtio.driver(link1, RpmsgOptions.defaults())) {
      // Ours: "ours" announced (the peer sends to it), "svc" bound by name to the peer's announcement.
      RpmsgEndpoint ours = bus.createEndpoint(EndpointOptions.named("ours").announced()).block(T);
      RpmsgEndpoint svc = bus.createEndpoint(EndpointOptions.named("svc")).block(T);
      List<String> oursGot = new CopyOnWriteArrayList<>();
      ours.receive().subscribe(m -> oursGot.add(text(m))); // one subscription across both links
      List<ChannelEvent> events = new CopyOnWriteArrayList<>();
      bus.channelEvents().subscribe(events::add);

      RpmsgEndpoint peerSvc = peer1.createEndpoint(EndpointOptions.named("svc").announced()).block(T);
      assertThat(svc.bound().block(T)).isEqualTo(peerSvc.address());
      peer1.openChannel("ours").block(T).send(Mono.just(utf8("before"))).block(T);
      waitFor(() -> oursGot.size() == 1);

      // The peer dies: its side goes away, and the driver side of the link is torn down.
      peer1.close();
      peerLink1.close();
      link1.close();
      waitFor(() -> !bus.isUp());
      // A send started while the link is down waits for the next one.
      var pending = svc.send(Mono.just(utf8("sent while down")), T).toFuture();

      // The peer comes back on a new link.
      try (VirtioShmLink link2 = VirtioShmLink.create(file2, LINK)) {
        RpmsgVirtio.reattach(bus, link2);
        assertThat(bus.isUp()).isTrue();
        try (VhostShmLink peerLink2 = VhostShmLink.open(file2, LINK.idle(), T);
            RpmsgBus peer2 = RpmsgVirtio.device(peerLink2, RpmsgOptions.defaults().withName("peer2"))) {
          RpmsgEndpoint peerSvc2 = peer2.createEndpoint(EndpointOptions.named("svc").announced().at(2000)).block(T);
          var peerGot = peerSvc2.receive().take(1).map(RpmsgLinkBounceTest::text).collectList().toFuture();
          // "svc" rebinds to the new announcement; the waiting send goes out to it.
          pending.join();
          assertThat(svc.destination()).isEqualTo(2000);
          assertThat(peerGot.join()).containsExactly("sent while down");
          // "ours" was announced again: the new peer finds it and reaches the same subscriber.
          RpmsgChannel back = peer2.channel("ours").block(T);
          assertThat(back.address()).isEqualTo(ours.address());
          peer2.openChannel("ours").block(T).send(Mono.just(utf8("after"))).block(T);
          waitFor(() -> oursGot.size() == 2);
          assertThat(oursGot).containsExactly("before", "after");
          assertThat(events).hasAtLeastOneElementOfType(ChannelEvent.LinkDown.class)
              .hasAtLeastOneElementOfType(ChannelEvent.LinkUp.class);
          assertThat(bus.stats().dropped()).isZero();
        }
      }
    } finally {
      peer1.close();
      peerLink1.close();
      link1.close();
    }
  }
}
