package io.reactorvirtio.rpmsg;

import static io.reactorvirtio.rpmsg.Loopback.utf8;
import static io.reactorvirtio.rpmsg.RpmsgBusLoopbackTest.sleep;
import static io.reactorvirtio.rpmsg.RpmsgBusLoopbackTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;

/**
 * Two endpoints on one ring, one of them not consuming. With {@link OverflowPolicy#DROP} the other
 * keeps flowing and the drops are counted; with the lossless default the whole bus stalls
 * (head-of-line, documented on {@link OverflowPolicy}) and nothing is lost once it drains.
 */
class RpmsgSlowEndpointTest {

  private static final Duration T = Duration.ofSeconds(10);
  private static final int N = 2000;

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  private static Loopback loopback(ShmFiles shm, String name) {
    ShmLinkOptions link = ShmLinkOptions.defaults().withQueueSize(32)
        .withIdle(IdlePolicy.spinThenPark(Duration.ofNanos(50_000)));
    return new Loopback(shm.newPath(name), link, RpmsgOptions.defaults(), RpmsgOptions.defaults());
  }

  private static CompletableFuture<List<String>> collect(RpmsgEndpoint ep, int n) {
    return ep.receive().map(m -> {
      String s = m.toUtf8();
      m.release();
      return s;
    }).take(n).collectList().toFuture();
  }

  private static void assertSequence(List<String> got, String prefix, int n) {
    assertThat(got).hasSize(n);
    for (int i = 0; i < n; i++) {
      assertThat(got.get(i)).isEqualTo(prefix + i);
    }
  }

  @Test
  void withDropPolicyTheFastEndpointKeepsFlowingAndDropsAreCounted() {
    try (Loopback lb = loopback(shm, "drop")) {
      RpmsgEndpoint slow = lb.device.createEndpoint(EndpointOptions.named("slow").announced()
          .queueCapacity(4).overflow(OverflowPolicy.DROP)).block(T);
      RpmsgEndpoint fast = lb.device.createEndpoint(EndpointOptions.named("fast").announced()).block(T);
      RpmsgEndpoint toSlow = lb.driver.openChannel("slow").block(T);
      RpmsgEndpoint toFast = lb.driver.openChannel("fast").block(T);
      var fastGot = collect(fast, N);
      // Nobody reads "slow". Both streams interleave on the one ring.
      var a = toSlow.send(Flux.range(0, N).map(i -> utf8("s" + i)), T).toFuture();
      var b = toFast.send(Flux.range(0, N).map(i -> utf8("f" + i)), T).toFuture();
      a.join();
      b.join();
      assertSequence(fastGot.join(), "f", N);
      waitFor(() -> slow.dropped() == N - 4);
      assertThat(slow.queued()).isEqualTo(4);
      assertThat(lb.device.stats().droppedQueueFull()).isEqualTo(N - 4);
      assertThat(lb.device.stats().dropped()).isEqualTo(N - 4);
      assertThat(fast.dropped()).isZero();
      // What the slow endpoint kept are the first four.
      assertSequence(collect(slow, 4).join(), "s", 4);
    }
  }

  @Test
  void losslessDefaultStallsTheWholeBusWhileOneQueueIsFullAndLosesNothing() {
    try (Loopback lb = loopback(shm, "hol")) {
      RpmsgEndpoint slow = lb.device.createEndpoint(EndpointOptions.named("slow").announced().queueCapacity(4))
          .block(T);
      RpmsgEndpoint fast = lb.device.createEndpoint(EndpointOptions.named("fast").announced()).block(T);
      RpmsgEndpoint toSlow = lb.driver.openChannel("slow").block(T);
      RpmsgEndpoint toFast = lb.driver.openChannel("fast").block(T);
      List<String> fastGot = new CopyOnWriteArrayList<>();
      fast.receive().subscribe(m -> {
        fastGot.add(m.toUtf8());
        m.release();
      });
      var a = toSlow.send(Flux.range(0, N).map(i -> utf8("s" + i)), Duration.ofSeconds(30)).toFuture();
      var b = toFast.send(Flux.range(0, N).map(i -> utf8("f" + i)), Duration.ofSeconds(30)).toFuture();
      // Head-of-line: "slow" is full, the bus stops ring credit, "fast" stops too.
      waitFor(() -> slow.queued() >= 4);
      sleep(150);
      int stalledAt = fastGot.size();
      sleep(250);
      assertThat(fastGot).as("fast endpoint while slow is full").hasSize(stalledAt);
      assertThat(stalledAt).isLessThan(N);
      assertThat(a).isNotDone();
      assertThat(slow.queued()).as("bounded: capacity + at most one ring").isLessThanOrEqualTo(4 + 32);
      // Drain the slow one: everything arrives, in order, on both.
      var slowGot = collect(slow, N);
      assertSequence(slowGot.join(), "s", N);
      a.join();
      b.join();
      waitFor(() -> fastGot.size() == N);
      assertSequence(fastGot, "f", N);
      assertThat(lb.device.stats().dropped()).isZero();
      assertThat(lb.device.stats().delivered()).isEqualTo(2L * N);
    }
  }

  @Test
  void aSubscriberThatThrowsLosesItsSubscriptionNotTheBus() {
    try (Loopback lb = loopback(shm, "throws")) {
      RpmsgEndpoint bad = lb.device.createEndpoint(EndpointOptions.named("bad").announced()).block(T);
      RpmsgEndpoint good = lb.device.createEndpoint(EndpointOptions.named("good").announced()).block(T);
      RpmsgEndpoint toBad = lb.driver.openChannel("bad").block(T);
      RpmsgEndpoint toGood = lb.driver.openChannel("good").block(T);
      var error = new java.util.concurrent.atomic.AtomicReference<Throwable>();
      // A raw subscriber that breaks Reactive Streams §2.13 by throwing from onNext (Reactor's own
      // subscribers catch and cancel instead). The bus ends its subscription and takes the buffer back.
      bad.receive().subscribe(new reactor.core.CoreSubscriber<RpmsgMessage>() {
        @Override
        public void onSubscribe(org.reactivestreams.Subscription sub) {
          sub.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(RpmsgMessage m) {
          throw new IllegalStateException("boom");
        }

        @Override
        public void onError(Throwable t) {
          error.set(t);
        }

        @Override
        public void onComplete() {}
      });
      var goodGot = collect(good, 10);
      toBad.send(Flux.just(utf8("x")), T).block(T);
      toGood.send(Flux.range(0, 10).map(i -> utf8("g" + i)), T).block(T);
      assertSequence(goodGot.join(), "g", 10);
      waitFor(() -> error.get() != null);
      assertThat(error.get()).hasMessage("boom");
      // The bad endpoint can be subscribed again and still receives; its thrown-on buffer went back.
      var again = collect(bad, 1);
      toBad.send(Flux.just(utf8("y")), T).block(T);
      assertThat(again.join()).containsExactly("y");
      assertThat(lb.deviceLink.queue(1).outstandingLeases()).isZero();
    }
  }

  @Test
  void manyEndpointsSendingAtOnceShareTheRingEachInItsOwnOrder() {
    try (Loopback lb = loopback(shm, "many")) {
      int k = 8;
      int n = 1500;
      List<CompletableFuture<List<String>>> got = new java.util.ArrayList<>();
      List<RpmsgEndpoint> clients = new java.util.ArrayList<>();
      for (int e = 0; e < k; e++) {
        RpmsgEndpoint server = lb.device.createEndpoint(EndpointOptions.named("ep" + e).announced()).block(T);
        got.add(collect(server, n));
        clients.add(lb.driver.openChannel("ep" + e).block(T));
      }
      List<CompletableFuture<Void>> sends = new java.util.ArrayList<>();
      for (int e = 0; e < k; e++) {
        String prefix = "e" + e + "-";
        sends.add(clients.get(e).send(Flux.range(0, n).map(i -> utf8(prefix + i)), T)
            .subscribeOn(reactor.core.scheduler.Schedulers.parallel()).toFuture());
      }
      sends.forEach(CompletableFuture::join);
      for (int e = 0; e < k; e++) {
        assertSequence(got.get(e).join(), "e" + e + "-", n);
      }
      assertThat(lb.device.stats().delivered()).isEqualTo((long) k * n);
      assertThat(lb.device.stats().dropped()).isZero();
    }
  }
}
