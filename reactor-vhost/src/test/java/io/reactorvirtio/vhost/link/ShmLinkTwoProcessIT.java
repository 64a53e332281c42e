package io.reactorvirtio.vhost.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.testsupport.PeerProcess;
import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.link.VirtioShmLink;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Driver in this JVM, device in a second JVM mapping the same /dev/shm file. */
class ShmLinkTwoProcessIT {

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  private static final int SIZES = 61;

  /** Message {@code seq}: 8-byte sequence number, then (seq % 61) bytes of a pattern. */
  private static int encode(long seq, MemorySegment buf) {
    buf.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, seq);
    int extra = (int) (seq % SIZES);
    for (int k = 0; k < extra; k++) {
      buf.set(ValueLayout.JAVA_BYTE, 8 + k, (byte) (seq * 31 + k));
    }
    return 8 + extra;
  }

  private static boolean matches(long seq, MemorySegment data) {
    if (data.byteSize() != 8 + seq % SIZES || data.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) != seq) {
      return false;
    }
    for (int k = 0; k < data.byteSize() - 8; k++) {
      if (data.get(ValueLayout.JAVA_BYTE, 8 + k) != (byte) (seq * 31 + k)) {
        return false;
      }
    }
    return true;
  }

  @Test
  void oneMillionBuffersEchoAcrossTwoProcessesNoneLostOrReordered() {
    Path file = shm.newPath("echo2p");
    long n = 1_000_000;
    try (VirtioShmLink driver = VirtioShmLink.create(file,
            ShmLinkOptions.defaults().withIdle(IdlePolicy.spinThenPark(Duration.ofNanos(50_000))));
        PeerProcess peer = PeerProcess.start(EchoDevicePeer.class, file.toString(), "echo", Long.toString(n))) {
      peer.awaitLine("ATTACHED", Duration.ofSeconds(20));
      AtomicLong next = new AtomicLong();
      AtomicLong bad = new AtomicLong(-1);
      Mono<Long> received = driver.queue(0).receive().take(n).doOnNext(lease -> {
        long seq = next.getAndIncrement();
        if (!matches(seq, lease.data()) && bad.get() < 0) {
          bad.set(seq);
        }
        lease.release();
      }).count();
      Mono<Void> sent = driver.queue(1).send(Flux.<Long, Long>generate(() -> 0L, (s, sink) -> {
        sink.next(s);
        return s + 1;
      }).take(n), (Long seq, MemorySegment buf) -> encode(seq, buf));
      long count = Mono.zip(received, sent.then(Mono.just(0L))).map(t -> t.getT1()).block(Duration.ofMinutes(3));
      assertThat(bad.get()).as("first sequence number with wrong content").isEqualTo(-1);
      assertThat(count).isEqualTo(n);
      assertThat(next.get()).isEqualTo(n);
      peer.awaitLine("ECHOED " + n, Duration.ofSeconds(20));
      assertThat(peer.waitFor(Duration.ofSeconds(20))).isZero();
      assertThat(driver.queue(0).outstandingLeases()).isZero();
    }
  }

  @Test
  void slowSubscriberInThePeerStallsThisSenderAndMemoryStaysFlat() throws Exception {
    Path file = shm.newPath("slow2p");
    int queueSize = 16;
    long consume = 400;
    try (VirtioShmLink driver = VirtioShmLink.create(file, ShmLinkOptions.defaults().withQueueSize(queueSize));
        PeerProcess peer = PeerProcess.start(EchoDevicePeer.class, file.toString(), "slow", Long.toString(consume),
            "2000")) {
      peer.awaitLine("ATTACHED", Duration.ofSeconds(20));
      AtomicLong produced = new AtomicLong();
      var sending = driver.queue(1).send(Flux.<Long, Long>generate(() -> 0L, (s, sink) -> {
        sink.next(s);
        return s + 1;
      }).doOnNext(s -> produced.incrementAndGet()), (Long seq, MemorySegment buf) -> encode(seq, buf)).subscribe();
      try {
        Thread.sleep(200);
        long heapBefore = usedHeapAfterGc();
        long producedBefore = produced.get();
        Thread.sleep(600); // the peer consumes one message per 2 ms: ~300 in this time
        long producedAfter = produced.get();
        long heapAfter = usedHeapAfterGc();
        // Never more in flight than the ring holds: the producer is held back by ring credit.
        assertThat(producedAfter).isLessThanOrEqualTo(consume + queueSize);
        assertThat(producedAfter - producedBefore).as("the sender kept going at the consumer's pace")
            .isPositive().isLessThan(600);
        assertThat(heapAfter - heapBefore).as("heap growth while stalled").isLessThan(8L << 20);
        peer.awaitLine("CONSUMED " + consume, Duration.ofSeconds(30));
        Thread.sleep(100);
        assertThat(produced.get()).isLessThanOrEqualTo(consume + queueSize);
      } finally {
        sending.dispose();
      }
      assertThat(peer.waitFor(Duration.ofSeconds(20))).isZero();
    }
  }

  private static long usedHeapAfterGc() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
