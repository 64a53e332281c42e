package io.reactorvirtio.virtio.internal.link;

import io.reactorvirtio.virtio.internal.poll.PollerTask;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Peer liveness without hardware link events: each side bumps its own 64-bit heartbeat word in
 * shared memory every {@code timeout / 4}, and watches the peer's. A peer whose word has not moved
 * for {@code timeout} is dead (killed, hung, rebooting); one whose word moves again is back.
 * Runs as a task of the link's poller, which therefore never parks longer than a beat.
 *
 * <p>Release/acquire on the words: a peer that sees a new beat also sees what was written before
 * it (nothing depends on that today; it costs nothing on x86).
 */
public final class Liveness implements PollerTask {

  /** What the link does when the peer dies or comes back; called on the poller thread. */
  public interface Listener {
    void peerDown(long silentNanos);

    void peerUp();

    /** Called on every beat (about four times per liveness bound), after the peer check. */
    default void onBeat() {}
  }

  /** Where the two heartbeat words live: 64-bit words in a shared file, 32-bit registers. */
  public interface Beats {
    /** This side's word (as last written). */
    long own();

    /** Publishes this side's word (release). */
    void setOwn(long value);

    /** The peer's word (acquire). */
    long peer();
  }

  private static final VarHandle U64 =
      ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

  private final Beats beats;
  private final long timeoutNanos;
  private final long beatNanos;
  private final Listener listener;
  private long beat;
  private long nextBeat;
  private long lastPeerBeat = -1;
  private long lastPeerChange;
  private boolean peerAlive;

  /** Heartbeats as two 64-bit little-endian words of {@code segment}. */
  public Liveness(MemorySegment segment, long ownOffset, long peerOffset, long timeoutNanos, Listener listener) {
    this(new Beats() {
      @Override
      public long own() {
        return (long) U64.getAcquire(segment, ownOffset);
      }

      @Override
      public void setOwn(long value) {
        U64.setRelease(segment, ownOffset, value);
      }

      @Override
      public long peer() {
        return (long) U64.getAcquire(segment, peerOffset);
      }
    }, timeoutNanos, listener);
  }

  public Liveness(Beats beats, long timeoutNanos, Listener listener) {
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("liveness timeout must be positive: " + timeoutNanos);
    }
    this.beats = beats;
    this.timeoutNanos = timeoutNanos;
    this.beatNanos = Math.max(1_000_000, timeoutNanos / 4);
    this.listener = listener;
    this.beat = beats.own();
  }

  /** Heartbeats in two 32-bit registers. */
  public static Beats registerBeats(io.reactorvirtio.virtio.spi.RegisterFile regs, int own, int peer) {
    return new Beats() {
      @Override
      public long own() {
        return regs.read(own) & 0xFFFF_FFFFL;
      }

      @Override
      public void setOwn(long value) {
        regs.write(own, (int) value);
      }

      @Override
      public long peer() {
        return regs.read(peer) & 0xFFFF_FFFFL;
      }
    };
  }

  public boolean peerAlive() {
    return peerAlive;
  }

  /** Beats at once (e.g. right after attaching), so the peer need not wait a period. */
  public void beatNow() {
    beats.setOwn(++beat);
    nextBeat = System.nanoTime() + beatNanos;
  }

  @Override
  public int doWork() {
    long now = System.nanoTime();
    if (now - nextBeat < 0) {
      return 0;
    }
    beats.setOwn(++beat);
    nextBeat = now + beatNanos;
    long peer = beats.peer();
    if (peer != lastPeerBeat) {
      lastPeerBeat = peer;
      lastPeerChange = now;
      // A word that has ever moved (non-zero) counts as alive at first sight, so that a peer that
      // attaches and dies between two of our beats is still seen go (a stale word left by a dead
      // process shows as a short UP, then DOWN after the bound, which also resets the rings).
      if (!peerAlive && peer != 0) {
        peerAlive = true;
        listener.peerUp();
      }
    } else if (peerAlive && now - lastPeerChange > timeoutNanos) {
      peerAlive = false;
      listener.peerDown(now - lastPeerChange);
    }
    listener.onBeat();
    return 0; // bookkeeping, not work: it must not keep the poller from parking
  }

  @Override
  public long wakeWithinNanos() {
    return beatNanos;
  }
}
