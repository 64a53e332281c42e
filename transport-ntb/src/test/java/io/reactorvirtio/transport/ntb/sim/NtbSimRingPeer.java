package io.reactorvirtio.transport.ntb.sim;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Second-process HOST2 for {@link SimulatedNtbTest}: opens the file, waits until HOST1's poller is
 * armed (its futex doorbell's {@code waiters} word is 1), rings HOST1 doorbell bit {@code args[1]}
 * and exits. Prints {@code ARMED-SEEN} and {@code RANG}.
 */
public final class NtbSimRingPeer {

  private NtbSimRingPeer() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    int queue = Integer.parseInt(args[1]);
    long waiters = NtbSimLayout.port(NtbSimLayout.HOST1, NtbSimLayout.DOORBELL)
        + io.reactorvirtio.virtio.notify.FutexDoorbellLayout.WAITERS_OFFSET;
    try (SimulatedNtb.Host2 h2 = SimulatedNtb.host2(file)) {
      var seg = h2.window().segment(); // MW0 only; use a second mapping for the header words
      try (var raw = io.reactorvirtio.virtio.memory.SharedRegion.open(file)) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        var u32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
        while (raw.segment().get(u32, waiters) == 0) {
          if (System.nanoTime() > deadline) {
            System.out.println("TIMEOUT waiting for HOST1 to arm");
            System.exit(2);
          }
          Thread.onSpinWait();
        }
      }
      System.out.println("ARMED-SEEN mw0 " + seg.byteSize());
      Thread.sleep(50); // give HOST1 time to enter FUTEX_WAIT (not an assertion: await is correct either way)
      h2.driverDoorbell(queue).ring();
      System.out.println("RANG");
    }
  }
}
