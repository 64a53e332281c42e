package io.reactorvirtio.rpmsg;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.testsupport.ShmFiles;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * "Steady state allocates nothing per message on the ring path" (DESIGN.md): the receiving bus's
 * poller thread — header parse, dispatch, pooled message, endpoint queue, delivery, release, ring
 * credit — allocates nothing per message once warm.
 */
class RpmsgAllocationTest {

  private static final Duration T = Duration.ofSeconds(30);

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @Test
  void receivePathAllocatesNothingPerMessage() {
    try (Loopback lb = new Loopback(shm.newPath("alloc"))) {
      RpmsgEndpoint server = lb.device.createEndpoint(EndpointOptions.named("sink").announced()).block(T);
      RpmsgEndpoint client = lb.driver.openChannel("sink").block(T);
      AtomicLong got = new AtomicLong();
      long[] pollerThread = {-1};
      Disposable sub = server.receive().subscribe(m -> {
        pollerThread[0] = Thread.currentThread().threadId();
        m.data(); // the payload view, cached per buffer for a constant length
        got.incrementAndGet();
        m.release();
      });
      var payload = Loopback.utf8("x".repeat(100));
      int n = 20_000;
      long least = Long.MAX_VALUE;
      // Rounds until one allocates (almost) nothing: C2 must have compiled the path (C1 has no escape analysis).
      for (int round = 0; round < 30 && least > 256; round++) {
        long before = pollerThread[0] < 0 ? 0 : THREADS.getThreadAllocatedBytes(pollerThread[0]);
        long target = got.get() + n;
        client.send(Flux.range(0, n).map(i -> payload), T).block(T);
        RpmsgBusLoopbackTest.waitFor(() -> got.get() >= target);
        if (round >= 2) { // after warm-up (JIT)
          least = Math.min(least, THREADS.getThreadAllocatedBytes(pollerThread[0]) - before);
        }
      }
      sub.dispose();
      System.out.println("device poller allocated " + least + " bytes for " + n + " received messages");
      // Anything allocated per message would be >= 16 bytes each (320 KB); allow stray bytes (JIT, BlockHound).
      assertThat(least).as("bytes allocated by the receiving poller for %d messages", n).isLessThan(n);
      assertThat(lb.device.stats().dropped()).isZero();
    }
  }
}
