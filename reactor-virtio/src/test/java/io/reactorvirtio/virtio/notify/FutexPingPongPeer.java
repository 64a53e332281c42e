package io.reactorvirtio.virtio.notify;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.reactorvirtio.virtio.memory.SharedRegion;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Paths;
import java.time.Duration;

/**
 * Peer JVM of {@link FutexDoorbellCrossProcessTest}: opens the shared file and answers every ping
 * with a pong, parking in the kernel between rounds.
 *
 * <p>Layout of the shared file (each item on its own cache line):
 *
 * <pre>
 *   0    PING_BELL   doorbell the test rings, the peer parks on
 *   64   PONG_BELL   doorbell the peer rings, the test parks on
 *   128  PING_VALUE  int: round number the test sent
 *   192  PONG_VALUE  int: round number the peer answered
 * </pre>
 *
 * <p>Arguments: {@code <file> <rounds>}. Prints {@code READY} once mapped, {@code DONE <rounds>
 * parks <n>} at the end; exits 0 on success, 2 if a round timed out.
 */
public final class FutexPingPongPeer {

  static final long PING_BELL = 0;
  static final long PONG_BELL = 64;
  static final long PING_VALUE = 128;
  static final long PONG_VALUE = 192;
  static final long REGION_SIZE = 4096;

  static final VarHandle INT = JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

  private FutexPingPongPeer() {}

  /** Runs the peer side. */
  public static void main(String[] args) {
    int rounds = Integer.parseInt(args[1]);
    try (SharedRegion region = SharedRegion.open(Paths.get(args[0]));
        FutexInterruptSource pings = new FutexInterruptSource(region.segment(), PING_BELL)) {
      MemorySegment seg = region.segment();
      FutexDoorbell pong = new FutexDoorbell(seg, PONG_BELL);
      System.out.println("READY");
      long parks = 0;
      for (int i = 1; i <= rounds; i++) {
        long parked = awaitValue(pings, seg, PING_VALUE, i, Duration.ofSeconds(30));
        if (parked < 0) {
          System.out.println("TIMEOUT in round " + i);
          System.exit(2);
        }
        parks += parked;
        INT.setRelease(seg, PONG_VALUE, i);
        pong.ring();
      }
      System.out.println("DONE " + rounds + " parks " + parks);
    }
  }

  /**
   * Waits, parked in the kernel, until the int at {@code valueOffset} equals {@code expected}.
   * Uses the arm / re-check / await protocol; never spins.
   *
   * @return how many times it parked, or -1 on timeout
   */
  static long awaitValue(
      FutexInterruptSource source,
      MemorySegment seg,
      long valueOffset,
      int expected,
      Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    long parks = 0;
    while ((int) INT.getAcquire(seg, valueOffset) != expected) {
      int token = source.arm();
      if ((int) INT.getVolatile(seg, valueOffset) == expected) {
        source.disarm();
        break;
      }
      if (System.nanoTime() - deadline > 0) {
        source.disarm();
        return -1;
      }
      source.await(token, Duration.ofSeconds(1).toNanos());
      parks++;
    }
    return parks;
  }
}
