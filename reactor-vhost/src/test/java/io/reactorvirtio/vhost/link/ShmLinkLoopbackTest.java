package io.reactorvirtio.vhost.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.MessageTooLargeException;
import io.reactorvirtio.virtio.QueueClosedException;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.link.VirtioShmLink;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Driver and device of one shared file in one JVM: two mappings at different addresses. */
class ShmLinkLoopbackTest {

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  private static MemorySegment msg(int i) {
    MemorySegment s = MemorySegment.ofArray(new byte[4 + (i % 60)]);
    s.set(ValueLayout.JAVA_INT_UNALIGNED, 0, i);
    for (int k = 4; k < s.byteSize(); k++) {
      s.set(ValueLayout.JAVA_BYTE, k, (byte) (i + k));
    }
    return s;
  }

  private static int check(BufferLease lease) {
    MemorySegment d = lease.data();
    int i = d.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
    assertThat(d.byteSize()).isEqualTo(4 + (i % 60));
    for (int k = 4; k < d.byteSize(); k++) {
      assertThat(d.get(ValueLayout.JAVA_BYTE, k)).isEqualTo((byte) (i + k));
    }
    lease.release();
    return i;
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void messagesCrossBothWaysInOrder(boolean eventIdx) {
    Path file = shm.newPath("loopback");
    ShmLinkOptions options = ShmLinkOptions.defaults().withQueueSize(64).withEventIdx(eventIdx)
        .withIdle(IdlePolicy.spinThenPark(Duration.ofNanos(20_000)));
    int n = 20_000;
    try (VirtioShmLink driver = VirtioShmLink.create(file, options);
        VhostShmLink device = VhostShmLink.open(file, IdlePolicy.defaults(), Duration.ofSeconds(5))) {
      // driver -> device on queue 1
      List<Integer> got = new ArrayList<>();
      var received = device.queue(1).receive().map(ShmLinkLoopbackTest::check).take(n).collectList();
      var sent = driver.queue(1).send(Flux.range(0, n).map(ShmLinkLoopbackTest::msg));
      StepVerifier.create(received.zipWith(sent.then(reactor.core.publisher.Mono.just(1))))
          .assertNext(t -> got.addAll(t.getT1()))
          .expectComplete()
          .verify(Duration.ofSeconds(30));
      assertThat(got).hasSize(n);
      for (int i = 0; i < n; i++) {
        assertThat(got.get(i)).isEqualTo(i);
      }
      // device -> driver on queue 0
      var back = driver.queue(0).receive().map(ShmLinkLoopbackTest::check).take(n).collectList();
      var sentBack = device.queue(0).send(Flux.range(0, n).map(ShmLinkLoopbackTest::msg));
      StepVerifier.create(back.zipWith(sentBack.then(reactor.core.publisher.Mono.just(1))))
          .assertNext(t -> assertThat(t.getT1()).containsExactlyElementsOf(
              Flux.range(0, n).collectList().block()))
          .expectComplete()
          .verify(Duration.ofSeconds(30));
      assertThat(driver.queue(0).outstandingLeases()).isZero();
      assertThat(device.queue(1).outstandingLeases()).isZero();
    }
    assertThat(Files.exists(file)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void deviceEchoesWhatTheDriverSends(boolean eventIdx) {
    Path file = shm.newPath("echo");
    int n = 200_000;
    try (VirtioShmLink driver = VirtioShmLink.create(file, ShmLinkOptions.defaults().withEventIdx(eventIdx));
        VhostShmLink device = VhostShmLink.open(file, IdlePolicy.defaults(), Duration.ofSeconds(5))) {
      var echo = device.queue(0).send(device.queue(1).receive(), (BufferLease lease, MemorySegment buf) -> {
        int len = lease.length();
        lease.copyTo(buf, 0);
        lease.release();
        return len;
      }).subscribe();
      try {
        List<Integer> got = driver.queue(0).receive().map(ShmLinkLoopbackTest::check).take(n)
            .collectList()
            .zipWith(driver.queue(1).send(Flux.range(0, n).map(ShmLinkLoopbackTest::msg)).then(reactor.core.publisher.Mono.just(1)))
            .map(t -> t.getT1())
            .block(Duration.ofSeconds(60));
        assertThat(got).hasSize(n);
        for (int i = 0; i < n; i++) {
          assertThat(got.get(i)).isEqualTo(i);
        }
      } finally {
        echo.dispose();
      }
    }
  }

  /**
   * Both pollers park in the kernel after every message and their park timeout is an hour, so a
   * single lost wake-up anywhere (kick decision, event index, futex protocol) hangs this test.
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void pingPongWithParkOnlyPollersLosesNoWakeUp(boolean eventIdx) {
    Path file = shm.newPath("nolostwake");
    IdlePolicy parkOnly = new IdlePolicy(Duration.ZERO, true, Duration.ofHours(1));
    int n = 3_000;
    try (VirtioShmLink driver = VirtioShmLink.create(file,
            ShmLinkOptions.defaults().withQueueSize(8).withEventIdx(eventIdx).withIdle(parkOnly)
                .withLiveness(Duration.ZERO)); // no heartbeat wake-ups that could hide a lost one
        VhostShmLink device = VhostShmLink.open(file, parkOnly, Duration.ofSeconds(5))) {
      var echo = device.queue(0).send(device.queue(1).receive(), (BufferLease lease, MemorySegment buf) -> {
        int len = lease.length();
        lease.copyTo(buf, 0);
        lease.release();
        return len;
      }).subscribe();
      try {
        reactor.core.publisher.Sinks.Many<MemorySegment> out =
            reactor.core.publisher.Sinks.many().unicast().onBackpressureBuffer();
        var sending = driver.queue(1).send(out.asFlux()).subscribe();
        var got = driver.queue(0).receive().take(n).index().doOnNext(t -> {
          assertThat(check(t.getT2())).isEqualTo(t.getT1().intValue());
          if (t.getT1() + 1 < n) {
            out.tryEmitNext(msg(t.getT1().intValue() + 1));
          }
        }).count();
        out.tryEmitNext(msg(0));
        assertThat(got.block(Duration.ofSeconds(60))).isEqualTo(n);
        sending.dispose();
      } finally {
        echo.dispose();
      }
      assertThat(driver.parks()).as("the driver's poller parked").isPositive();
      assertThat(device.parks()).as("the device's poller parked").isPositive();
    }
  }

  @Test
  void slowSubscriberStallsTheSenderWithoutLoss() throws Exception {
    Path file = shm.newPath("slow");
    try (VirtioShmLink driver = VirtioShmLink.create(file, ShmLinkOptions.defaults().withQueueSize(16));
        VhostShmLink device = VhostShmLink.open(file, IdlePolicy.defaults(), Duration.ofSeconds(5))) {
      AtomicInteger produced = new AtomicInteger();
      ConcurrentLinkedQueue<BufferLease> held = new ConcurrentLinkedQueue<>();
      var sub = new reactor.core.publisher.BaseSubscriber<BufferLease>() {
        @Override
        protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
          s.request(3);
        }

        @Override
        protected void hookOnNext(BufferLease l) {
          held.add(l);
        }
      };
      device.queue(1).receive().subscribe(sub);
      var done = driver.queue(1).send(Flux.range(0, 1000).doOnNext(i -> produced.incrementAndGet())
          .map(ShmLinkLoopbackTest::msg)).toFuture();
      Thread.sleep(300);
      // The device took only what was requested; the driver filled its 16 descriptors and stopped.
      assertThat(held).hasSize(3);
      assertThat(produced.get()).isEqualTo(16);
      assertThat(done).isNotDone();
      // Now drain everything.
      held.forEach(BufferLease::release);
      List<Integer> order = new ArrayList<>();
      held.clear();
      sub.cancel();
      Thread.sleep(50);
      device.queue(1).receive().map(ShmLinkLoopbackTest::check).take(997).doOnNext(order::add).blockLast(Duration.ofSeconds(20));
      done.get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(order).hasSize(997);
      assertThat(order.getFirst()).isEqualTo(3);
      assertThat(order.getLast()).isEqualTo(999);
      assertThat(device.queue(1).outstandingLeases()).isZero();
    }
  }

  @Test
  void anIdleLongLivedSendHoldsAtMostOneBufferAndDoesNotStarveOtherSendsOnTheQueue() {
    Path file = shm.newPath("idle-send");
    try (VirtioShmLink driver = VirtioShmLink.create(file, ShmLinkOptions.defaults().withQueueSize(16));
        VhostShmLink device = VhostShmLink.open(file, IdlePolicy.parkOnly(), Duration.ofSeconds(5))) {
      // Three reply streams on the device that have nothing to say yet (they wait for requests),
      // subscribed before a send of 100 messages on the same 16-buffer queue (rpmsg's case: reply
      // streams and name-service announcements share the device's outbound queue).
      List<reactor.core.publisher.Sinks.Many<MemorySegment>> idle = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        var v = reactor.core.publisher.Sinks.many().unicast().<MemorySegment>onBackpressureBuffer();
        idle.add(v);
        device.queue(0).send(v.asFlux()).subscribe();
      }
      var up = device.queue(0).send(Flux.range(0, 100).map(ShmLinkLoopbackTest::msg)).toFuture();
      var atDriver = new java.util.concurrent.ConcurrentSkipListSet<Integer>();
      var driverDone = driver.queue(0).receive().map(ShmLinkLoopbackTest::check).doOnNext(atDriver::add).take(101)
          .then().toFuture();
      assertThat(idle.get(1).tryEmitNext(msg(100)).isSuccess()).isTrue(); // an idle stream speaks once
      assertThat(driverDone).as("driver got %s of 0..100; the device's send: %s", atDriver, up)
          .succeedsWithin(Duration.ofSeconds(10));
      assertThat(atDriver).containsExactlyElementsOf(Flux.range(0, 101).collectList().block());
      assertThat(up).succeedsWithin(Duration.ofSeconds(5));
    }
  }

  @Test
  void aNewSubscriberMayComeRightAfterCancelAndNothingIsLostBetween() {
    Path file = shm.newPath("resub");
    try (VirtioShmLink driver = VirtioShmLink.create(file, ShmLinkOptions.defaults().withQueueSize(16));
        VhostShmLink device = VhostShmLink.open(file, IdlePolicy.defaults(), Duration.ofSeconds(5))) {
      var sent = driver.queue(1).send(Flux.range(0, 100).map(ShmLinkLoopbackTest::msg)).toFuture();
      List<Integer> got = new ArrayList<>();
      for (int round = 0; round < 10; round++) {
        // take(10) cancels upstream after ten; the next round subscribes at once.
        got.addAll(device.queue(1).receive().map(ShmLinkLoopbackTest::check).take(10).collectList()
            .block(Duration.ofSeconds(10)));
      }
      assertThat(got).containsExactlyElementsOf(Flux.range(0, 100).collectList().block());
      assertThat(sent).succeedsWithin(Duration.ofSeconds(5));
    }
  }

  @Test
  void releasingOrCancellingAfterTheLinkClosedIsHarmlessAndNewWorkFailsAtOnce() {
    Path file = shm.newPath("late");
    BufferLease kept;
    reactor.core.Disposable sub;
    VhostShmLink device;
    try (VirtioShmLink driver = VirtioShmLink.create(file, ShmLinkOptions.defaults().withQueueSize(16));
        VhostShmLink d = VhostShmLink.open(file, IdlePolicy.defaults(), Duration.ofSeconds(5))) {
      device = d;
      driver.queue(1).send(Flux.range(0, 2).map(ShmLinkLoopbackTest::msg)).block(Duration.ofSeconds(5));
      kept = device.queue(1).receive().next().block(Duration.ofSeconds(5));
      sub = device.queue(1).receive().subscribe(BufferLease::release, e -> { });
    }
    assertThat(kept.isHeld()).isTrue();
    kept.release();
    assertThat(kept.isHeld()).isFalse();
    sub.dispose();
    StepVerifier.create(device.queue(1).receive()).expectError(io.reactorvirtio.virtio.LinkDownException.class)
        .verify(Duration.ofSeconds(1));
  }

  @Test
  void oversizedMessageFailsClearlyAndEarlierOnesArrive() {
    Path file = shm.newPath("big");
    try (VirtioShmLink driver = VirtioShmLink.create(file, ShmLinkOptions.defaults().withQueueSize(16));
        VhostShmLink device = VhostShmLink.open(file, IdlePolicy.defaults(), Duration.ofSeconds(5))) {
      var received = device.queue(1).receive().map(l -> {
        String s = l.toUtf8();
        l.release();
        return s;
      }).take(2).collectList();
      var batch = Flux.just("a", "b", "x".repeat(513), "c")
          .map(s -> MemorySegment.ofArray(s.getBytes(StandardCharsets.UTF_8)));
      StepVerifier.create(driver.queue(1).send(batch))
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MessageTooLargeException.class)
              .hasMessageContaining("513").hasMessageContaining("512"))
          .verify(Duration.ofSeconds(5));
      StepVerifier.create(received).expectNext(List.of("a", "b")).expectComplete().verify(Duration.ofSeconds(5));
    }
  }

  @Test
  void wrongDirectionIsAClearError() {
    Path file = shm.newPath("dir");
    try (VirtioShmLink driver = VirtioShmLink.create(file, ShmLinkOptions.defaults())) {
      StepVerifier.create(driver.queue(1).receive())
          .expectError(QueueClosedException.class)
          .verify(Duration.ofSeconds(1));
      StepVerifier.create(driver.queue(0).send(Flux.empty()))
          .expectError(QueueClosedException.class)
          .verify(Duration.ofSeconds(1));
    }
  }

  @Test
  void deviceRefusesAFileThatIsNotALink() throws Exception {
    Path file = shm.newPath("garbage");
    Files.write(file, new byte[8192]);
    assertThatThrownBy(() -> VhostShmLink.open(file, IdlePolicy.defaults(), Duration.ofMillis(50)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("DRIVER_OK");
  }
}
