package io.reactorvirtio.vhost.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.RingViolation;
import io.reactorvirtio.virtio.RingViolationException;
import io.reactorvirtio.virtio.internal.ring.AvailRing;
import io.reactorvirtio.virtio.internal.ring.DescriptorTable;
import io.reactorvirtio.virtio.internal.ring.QueueGeometry;
import io.reactorvirtio.virtio.internal.ring.UsedRing;
import io.reactorvirtio.virtio.link.ShmLinkLayout;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.link.VirtioShmLink;
import io.reactorvirtio.virtio.memory.SharedRegion;
import io.reactorvirtio.virtio.memory.Window;
import io.reactorvirtio.virtio.notify.FutexDoorbell;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * A peer that scribbles on the rings of a live link, through its own mapping of the shared file:
 * the subscriber on the other side gets {@code onError} naming the field and the value, and
 * nothing hangs.
 */
class HostilePeerTest {

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  private static final int N = 16;

  private static QueueGeometry.Resolved rings(MemorySegment seg, int queue) {
    QueueGeometry g = QueueGeometry.legacy(ShmLinkLayout.ringOffset(queue, N), N, ShmLinkLayout.RING_ALIGN);
    return g.resolve("hostile", Window.identity(seg));
  }

  @Test
  void hostileDriverWritesAHeadOutOfRangeAndTheDeviceSubscriberGetsATypedError() {
    Path file = shm.newPath("hostile-driver");
    try (VirtioShmLink driver = VirtioShmLink.create(file, ShmLinkOptions.defaults().withQueueSize(N));
        VhostShmLink device = VhostShmLink.open(file, IdlePolicy.defaults(), Duration.ofSeconds(5));
        SharedRegion evil = SharedRegion.open(file)) {
      StepVerifier.create(device.queue(1).receive())
          .then(() -> {
            // The "driver" publishes avail.ring[0] = 999 (not a descriptor index) and kicks.
            AvailRing avail = rings(evil.segment(), 1).avail();
            avail.setEntry(0, 999);
            avail.publishIdx(1);
            new FutexDoorbell(evil.segment(), ShmLinkLayout.DEVICE_DOORBELL_OFFSET).ring();
          })
          .expectErrorSatisfies(e -> {
            assertThat(e).isInstanceOf(RingViolationException.class)
                .hasMessageContaining("avail.ring[0]").hasMessageContaining("999");
            assertThat(((RingViolationException) e).violation()).isEqualTo(RingViolation.HEAD_OUT_OF_RANGE);
          })
          .verify(Duration.ofSeconds(5));
      assertThat(device.queue(1).isBroken()).isTrue();
    }
  }

  @Test
  void hostileDriverPointsABufferOutsideTheFile() {
    Path file = shm.newPath("hostile-addr");
    try (VirtioShmLink driver = VirtioShmLink.create(file, ShmLinkOptions.defaults().withQueueSize(N));
        VhostShmLink device = VhostShmLink.open(file, IdlePolicy.defaults(), Duration.ofSeconds(5));
        SharedRegion evil = SharedRegion.open(file)) {
      long outside = evil.size() + 4096;
      StepVerifier.create(device.queue(1).receive())
          .then(() -> {
            QueueGeometry.Resolved r = rings(evil.segment(), 1);
            DescriptorTable desc = r.desc();
            desc.set(0, outside, 64, 0, 0);
            r.avail().setEntry(0, 0);
            r.avail().publishIdx(1);
            new FutexDoorbell(evil.segment(), ShmLinkLayout.DEVICE_DOORBELL_OFFSET).ring();
          })
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RingViolationException.class)
              .hasMessageContaining("desc[0].addr").hasMessageContaining(Long.toHexString(outside)))
          .verify(Duration.ofSeconds(5));
    }
  }

  @Test
  void hostileDeviceReturnsAnIdThatWasNeverMadeAvailable() {
    Path file = shm.newPath("hostile-device");
    try (VirtioShmLink driver = VirtioShmLink.create(file, ShmLinkOptions.defaults().withQueueSize(N));
        SharedRegion evil = SharedRegion.open(file)) {
      // The driver posts its receive buffers on queue 0 once it has demand.
      StepVerifier.create(driver.queue(0).receive(), 0)
          .thenRequest(4)
          .thenAwait(Duration.ofMillis(100))
          .then(() -> assertThat(rings(evil.segment(), 0).avail().idxAcquire())
              .as("receive buffers posted = the subscriber's demand").isEqualTo(4))
          .then(() -> {
            UsedRing used = rings(evil.segment(), 0).used();
            used.setElem(0, 9, 8); // head 9 was never posted: only 4 buffers are
            used.publishIdx(1);
            new FutexDoorbell(evil.segment(), ShmLinkLayout.DRIVER_DOORBELL_OFFSET).ring();
          })
          .expectErrorSatisfies(e -> {
            assertThat(e).isInstanceOf(RingViolationException.class).hasMessageContaining("used.ring[0].id");
            assertThat(((RingViolationException) e).violation()).isEqualTo(RingViolation.USED_ID_NOT_OUTSTANDING);
          })
          .verify(Duration.ofSeconds(5));
      // A send on the broken link's other queue still works: only the bad queue is latched.
      StepVerifier.create(driver.queue(1).send(Flux.just(MemorySegment.ofArray(new byte[] {1}))))
          .expectComplete()
          .verify(Duration.ofSeconds(5));
    }
  }
}
