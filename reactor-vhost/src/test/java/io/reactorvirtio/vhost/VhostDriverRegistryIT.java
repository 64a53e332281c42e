package io.reactorvirtio.vhost;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.testsupport.PeerProcess;
import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.vhost.link.DriverPeer;
import io.reactorvirtio.vhost.link.VhostShmLink;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.Virtqueue;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;

/**
 * The vhost driver model with real processes: a driver registered for device id 7 is probed when a
 * link carrying id 7 comes up, removed when the virtio driver process is killed, and probed again
 * when a restarted one takes the link over; a driver for another id is never probed.
 */
class VhostDriverRegistryIT {

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  @Test
  void driversAreProbedAndRemovedByDeviceIdAsTheLinkComesAndGoes() throws Exception {
    Path file = shm.newPath("registry");
    List<String> log = new CopyOnWriteArrayList<>();
    AtomicLong consumed = new AtomicLong();
    List<Disposable> serving = new CopyOnWriteArrayList<>();
    VhostDriver rpmsgLike = VhostDriver.of("consumer", Set.of(7), device -> {
      log.add("probe " + device.deviceId() + " with " + device.queues().size() + " queues");
      Virtqueue in = device.queues().get(1);
      serving.add(in.receive().subscribe(lease -> {
        consumed.incrementAndGet();
        lease.release();
      }, e -> { }));
    }, device -> log.add("remove " + device.deviceId()));
    VhostDriver console = VhostDriver.of("console", Set.of(3), d -> log.add("console probed"), d -> { });
    VhostDriverRegistry registry = new VhostDriverRegistry();
    registry.register(console);
    registry.register(rpmsgLike);

    PeerProcess first = PeerProcess.start(DriverPeer.class, file.toString(), "500", "500");
    try {
      first.awaitLine("READY generation 0", Duration.ofSeconds(20));
      try (VhostShmLink device = VhostShmLink.open(file, IdlePolicy.defaults(), Duration.ofSeconds(10))) {
        assertThat(device.deviceId()).isEqualTo(7);
        Disposable binding = registry.add(device);
        awaitTrue(() -> consumed.get() == 500);
        assertThat(log).containsExactly("probe 7 with 2 queues");
        assertThat(registry.driverOf(device)).contains(rpmsgLike);

        first.kill();
        awaitTrue(() -> log.contains("remove 7"));
        assertThat(registry.driverOf(device)).isEmpty();

        try (PeerProcess second = PeerProcess.start(DriverPeer.class, file.toString(), "500", "500")) {
          second.awaitLine("READY generation 1", Duration.ofSeconds(20));
          awaitTrue(() -> consumed.get() == 1000);
          assertThat(log).containsExactly("probe 7 with 2 queues", "remove 7", "probe 7 with 2 queues");
          binding.dispose();
          assertThat(log).last().isEqualTo("remove 7");
          second.kill();
        }
      }
    } finally {
      first.close();
      serving.forEach(Disposable::dispose);
    }
    assertThat(log).doesNotContain("console probed");
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 20 s");
      }
      Thread.sleep(5);
    }
  }
}
