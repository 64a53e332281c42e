package io.reactorvirtio.virtio.notify;

import static io.reactorvirtio.virtio.notify.FutexPingPongPeer.INT;
import static io.reactorvirtio.virtio.notify.FutexPingPongPeer.PING_BELL;
import static io.reactorvirtio.virtio.notify.FutexPingPongPeer.PING_VALUE;
import static io.reactorvirtio.virtio.notify.FutexPingPongPeer.PONG_BELL;
import static io.reactorvirtio.virtio.notify.FutexPingPongPeer.PONG_VALUE;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.testsupport.PeerProcess;
import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.virtio.memory.SharedRegion;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two JVMs ping-pong through two futex doorbells in one {@code /dev/shm} file. */
class FutexDoorbellCrossProcessTest {

  private static final int ROUNDS = 1000;
  private static final Duration STARTUP = Duration.ofSeconds(60);

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  @Test
  void pingPongsAThousandRoundsAcrossProcesses() {
    Path file = shm.newPath("futex-pingpong");
    try (SharedRegion region = SharedRegion.create(file, FutexPingPongPeer.REGION_SIZE);
        FutexInterruptSource pongs = new FutexInterruptSource(region.segment(), PONG_BELL);
        PeerProcess peer =
            PeerProcess.start(FutexPingPongPeer.class, file.toString(), Integer.toString(ROUNDS))) {
      MemorySegment seg = region.segment();
      FutexDoorbell ping = new FutexDoorbell(seg, PING_BELL);
      peer.awaitLine("READY", STARTUP);

      long start = System.nanoTime();
      long parks = 0;
      int completed = 0;
      for (int i = 1; i <= ROUNDS; i++) {
        INT.setRelease(seg, PING_VALUE, i);
        ping.ring();
        long parked =
            FutexPingPongPeer.awaitValue(pongs, seg, PONG_VALUE, i, Duration.ofSeconds(30));
        if (parked < 0) {
          throw new AssertionError(
              "no pong for round " + i + " (peer alive: " + peer.isAlive() + ")\n"
                  + peer.logTail());
        }
        parks += parked;
        completed++;
      }
      long elapsed = System.nanoTime() - start;

      assertThat(completed).isEqualTo(ROUNDS);
      assertThat(peer.waitFor(Duration.ofSeconds(30))).as(peer.logTail()).isZero();
      assertThat(peer.awaitLine("DONE", Duration.ofSeconds(1))).startsWith("DONE " + ROUNDS);
      assertThat(ping.rings()).isEqualTo(ROUNDS);
      // The peer parked on the ping doorbell at least once, so some rings had to wake it.
      assertThat(ping.wakes()).isPositive().isLessThanOrEqualTo(ROUNDS);
      assertThat((int) INT.getVolatile(seg, PONG_VALUE)).isEqualTo(ROUNDS);
      System.out.printf(
          "%d round trips in %.1f ms (%.1f us each), test parked %d times, ping wakes %d,"
              + " peer: %s%n",
          ROUNDS,
          elapsed / 1e6,
          elapsed / 1e3 / ROUNDS,
          parks,
          ping.wakes(),
          peer.logTail().strip());
      region.unlink(); // on failure the ShmFiles extension deletes it after the test
      assertThat(Files.exists(file)).isFalse();
    }
  }
}
