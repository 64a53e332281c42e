package io.reactorvirtio.virtio.internal.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.virtio.BufferWriter;
import io.reactorvirtio.virtio.internal.ring.QueueGeometry;
import io.reactorvirtio.virtio.internal.ring.SplitQueueDriver;
import io.reactorvirtio.virtio.memory.Window;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The driver's send ring across a reset (the peer died while a message was being written). */
class DriverTxRingTest {

  @Test
  void aBufferTakenBeforeAResetIsNotAddedToTheNewRingNorFreedTwice() {
    try (Arena arena = Arena.ofConfined()) {
      int n = 8;
      MemorySegment memory = arena.allocate(64 * 1024, 4096);
      SplitQueueDriver ring = SplitQueueDriver.create("tx", QueueGeometry.legacy(0, n, 4096), Window.identity(memory),
          true);
      int[] rings = new int[1];
      DriverTxRing tx = new DriverTxRing(ring, () -> rings[0]++, memory, 32 * 1024, 32 * 1024, 512);

      // The writer runs between taking a free buffer and adding it to the ring: reset there.
      BufferWriter<String> resettingWriter = (item, buf) -> {
        tx.reset();
        return 8;
      };
      assertThat(tx.write("lost with the old peer", resettingWriter)).isNegative();
      assertThat(ring.outstanding()).as("nothing made available on the new ring").isZero();
      assertThat(tx.credit()).as("every buffer free exactly once").isEqualTo(n);

      // All n buffers can be written, each a different one: no buffer sits twice in the free list.
      Set<Long> addresses = new HashSet<>();
      for (int i = 0; i < n; i++) {
        assertThat(tx.write("m" + i, (item, buf) -> {
          addresses.add(buf.address());
          return 8;
        })).isEqualTo(8);
      }
      assertThat(addresses).hasSize(n);
      assertThat(tx.write("one too many", (item, buf) -> 8)).isNegative();
    }
  }
}
