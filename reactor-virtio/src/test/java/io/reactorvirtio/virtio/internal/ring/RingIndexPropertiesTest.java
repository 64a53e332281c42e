package io.reactorvirtio.virtio.internal.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Laws of the 16-bit free-running ring indices against a {@code long} reference that never wraps
 * (FACTS §1.3, §1.4).
 */
class RingIndexPropertiesTest {

  private static final long MOD = 1L << 16;

  /** The u16 an unbounded counter shows on the ring. */
  private static int u16(long counter) {
    return (int) Math.floorMod(counter, MOD);
  }

  @Property
  void nextFollowsTheUnboundedCounter(@ForAll @LongRange(min = 0, max = 1L << 40) long counter) {
    assertThat(RingIndex.next(u16(counter))).isEqualTo(u16(counter + 1));
  }

  @Example
  void nextWrapsAt65536() {
    assertThat(RingIndex.next(0xFFFF)).isZero();
    assertThat(RingIndex.next(0x7FFF)).isEqualTo(0x8000);
  }

  @Property
  void addFollowsTheUnboundedCounter(
      @ForAll @LongRange(min = 0, max = 1L << 40) long counter, @ForAll @IntRange(min = -200_000, max = 200_000) int n) {
    int r = RingIndex.add(u16(counter), n);
    assertThat(r).isEqualTo(u16(counter + n)).isBetween(0, 0xFFFF);
  }

  @Property
  void addIsRepeatedNext(@ForAll @IntRange(min = 0, max = 0xFFFF) int idx, @ForAll @IntRange(min = 0, max = 300) int n) {
    int stepped = idx;
    for (int k = 0; k < n; k++) {
      stepped = RingIndex.next(stepped);
    }
    assertThat(RingIndex.add(idx, n)).isEqualTo(stepped);
  }

  /** Two counters less than 2^16 apart: the u16 distance is their true distance, across any wrap. */
  @Property
  void distanceIsTheTrueDistanceWithinAWindow(
      @ForAll @LongRange(min = 0, max = 1L << 40) long from, @ForAll @IntRange(min = 0, max = 0xFFFF) int ahead) {
    long to = from + ahead;
    assertThat(RingIndex.distance(u16(from), u16(to))).isEqualTo(ahead);
  }

  @Property
  void distanceAndAddAreInverse(@ForAll @IntRange(min = 0, max = 0xFFFF) int from, @ForAll @IntRange(min = 0, max = 0xFFFF) int to) {
    int d = RingIndex.distance(from, to);
    assertThat(d).isBetween(0, 0xFFFF);
    assertThat(RingIndex.add(from, d)).isEqualTo(to);
    assertThat(d).isEqualTo((int) Math.floorMod((long) to - from, MOD));
  }

  /**
   * vring_need_event(event, new, old) is "event ∈ [old, new) modulo 2^16", checked by walking the
   * batch one index at a time.
   */
  @Property(tries = 300)
  void needEventIsMembershipInTheBatch(
      @ForAll @IntRange(min = 0, max = 0xFFFF) int old,
      @ForAll @IntRange(min = 0, max = 0xFFFF) int batch,
      @ForAll @IntRange(min = 0, max = 0xFFFF) int event) {
    int neu = RingIndex.add(old, batch);
    assertThat(RingIndex.needEvent(event, neu, old)).isEqualTo(bruteForceContains(old, batch, event));
  }

  /** Events right at and around the batch edges, where off-by-one errors live. */
  @Property(tries = 2000)
  void needEventAtTheBatchEdges(
      @ForAll @IntRange(min = 0, max = 0xFFFF) int old,
      @ForAll("batchLengths") int batch,
      @ForAll @IntRange(min = -3, max = 3) int delta,
      @ForAll boolean nearNew) {
    int neu = RingIndex.add(old, batch);
    int event = RingIndex.add(nearNew ? neu : old, delta);
    boolean expected = bruteForceContains(old, batch, event);
    assertThat(RingIndex.needEvent(event, neu, old)).isEqualTo(expected);
    // Sanity of the reference on the obvious points.
    if (batch > 0 && delta == 0 && !nearNew) {
      assertThat(expected).isTrue(); // event == old: first entry of the batch
    }
    if (batch < 0xFFFF && delta == 0 && nearNew) {
      assertThat(expected).isFalse(); // event == new: not yet reached
    }
  }

  @Provide
  Arbitrary<Integer> batchLengths() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(0, 4), Arbitraries.integers().between(0, 0xFFFF), Arbitraries.integers().between(0xFFF0, 0xFFFF));
  }

  private static boolean bruteForceContains(int old, int batch, int event) {
    for (long k = old; k < (long) old + batch; k++) {
      if (u16(k) == event) {
        return true;
      }
    }
    return false;
  }

  @Example
  void emptyBatchNeverNotifies() {
    for (int idx : new int[] {0, 1, 0x7FFF, 0xFFFF}) {
      assertThat(RingIndex.needEvent(idx, idx, idx)).isFalse();
      assertThat(RingIndex.needEvent(RingIndex.add(idx, -1), idx, idx)).isFalse();
    }
  }

  /**
   * FACTS §1.4: with used_event = 0 the peer is notified after the 1st buffer, and then only once the
   * index has gone all the way round, i.e. 65 536 buffers later (the 65 537th buffer, whose batch
   * starts at index 0 again).
   */
  @Example
  void usedEventZeroNotifiesAfterTheFirstBufferAndThenOnlyAfterAFullWrap() {
    List<Long> notifiedAfter = new ArrayList<>();
    long published = 0;
    for (int k = 0; k < 3 * 65536; k++) {
      int old = u16(published);
      published++;
      if (RingIndex.needEvent(0, u16(published), old)) {
        notifiedAfter.add(published);
      }
    }
    assertThat(notifiedAfter).containsExactly(1L, 65537L, 131073L);
    assertThat(notifiedAfter.get(1) - notifiedAfter.get(0)).isEqualTo(65536L);
  }

  /** The same with batches: a batch notifies iff it covers the event index, whatever its length. */
  @Property(tries = 200)
  void batchedPublishingNotifiesExactlyWhenTheEventIsCrossed(
      @ForAll @IntRange(min = 0, max = 0xFFFF) int event,
      @ForAll @LongRange(min = 0, max = 1L << 20) long start,
      @ForAll @IntRange(min = 1, max = 5000) int maxBatch,
      @ForAll long seed) {
    java.util.Random rnd = new java.util.Random(seed);
    long published = start;
    long end = start + 3 * 65536L;
    int notifications = 0;
    long crossings = 0;
    while (published < end) {
      long batch = 1 + rnd.nextInt(maxBatch);
      long oldCounter = published;
      published += batch;
      // Reference with unbounded counters: some k in [old, new) has k ≡ event (mod 2^16).
      long first = oldCounter + Math.floorMod(event - oldCounter, MOD);
      boolean crosses = first < published;
      if (crosses) {
        crossings++;
      }
      boolean notify = RingIndex.needEvent(event, u16(published), u16(oldCounter));
      assertThat(notify).as("batch [%d, %d) event %d", oldCounter, published, event).isEqualTo(crosses);
      if (notify) {
        notifications++;
      }
    }
    assertThat(notifications).isEqualTo((int) crossings).isBetween(2, 4);
  }
}
