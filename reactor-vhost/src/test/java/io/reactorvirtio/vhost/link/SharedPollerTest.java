package io.reactorvirtio.vhost.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.LinkDownException;
import io.reactorvirtio.virtio.SharedPoller;
import io.reactorvirtio.virtio.link.Pollers;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.link.VirtioShmLink;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Several links on one poller thread that parks on all their doorbells at once (futex_waitv). */
class SharedPollerTest {

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  /** Park-only with an hour's timeout: a doorbell the shared wait missed would hang the test. */
  private static final IdlePolicy PARK_ONLY = new IdlePolicy(Duration.ZERO, true, Duration.ofHours(1));

  private static Disposable echo(VhostShmLink device) {
    return device.queue(0).send(device.queue(1).receive(), (BufferLease lease, MemorySegment buf) -> {
      int len = lease.length();
      lease.copyTo(buf, 0);
      lease.release();
      return len;
    }).subscribe();
  }

  private static Mono<Long> exchange(VirtioShmLink driver, int n) {
    Mono<Long> back = driver.queue(0).receive().take(n).index().doOnNext(t -> {
      assertThat(t.getT2().data().get(ValueLayout.JAVA_LONG_UNALIGNED, 0)).isEqualTo(t.getT1());
      t.getT2().release();
    }).count();
    Mono<Void> out = driver.queue(1).send(Flux.range(0, n), (Integer i, MemorySegment buf) -> {
      buf.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, i);
      return 8;
    });
    return back.zipWith(out.then(Mono.just(0L))).map(t -> t.getT1());
  }

  @Test
  void oneThreadServesFourLinkSidesAndAClosedLinkLeavesTheOthersRunning() {
    Path a = shm.newPath("shared-a");
    Path b = shm.newPath("shared-b");
    // No liveness: its periodic beats would wake the poller and hide a missed doorbell.
    ShmLinkOptions options = ShmLinkOptions.defaults().withQueueSize(16).withLiveness(Duration.ZERO);
    int n = 20_000;
    try (SharedPoller poller = Pollers.shared("shared-test", PARK_ONLY)) {
      try (VirtioShmLink driverA = VirtioShmLink.create(a, options, poller);
          VirtioShmLink driverB = VirtioShmLink.create(b, options, poller);
          VhostShmLink deviceA = VhostShmLink.open(a, poller, Duration.ofSeconds(5));
          VhostShmLink deviceB = VhostShmLink.open(b, poller, Duration.ofSeconds(5))) {
        Disposable echoA = echo(deviceA);
        Disposable echoB = echo(deviceB);
        long threads = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("virtio-poller-")).count();
        assertThat(threads).as("poller threads").isEqualTo(1);
        StepVerifier.create(Mono.zip(exchange(driverA, n), exchange(driverB, n)))
            .assertNext(t -> {
              assertThat(t.getT1()).isEqualTo(n);
              assertThat(t.getT2()).isEqualTo(n);
            })
            .expectComplete()
            .verify(Duration.ofSeconds(60));
        assertThat(poller.parks()).isPositive();

        // Closing link A fails its subscribers; link B keeps working on the same thread.
        var pendingOnA = driverA.queue(0).receive().then().toFuture();
        driverA.close();
        assertThat(pendingOnA).failsWithin(Duration.ofSeconds(5))
            .withThrowableThat().havingCause().isInstanceOf(LinkDownException.class);
        StepVerifier.create(exchange(driverB, 1000)).expectNext(1000L).expectComplete()
            .verify(Duration.ofSeconds(30));
        echoA.dispose();
        echoB.dispose();
      }
    }
  }
}
