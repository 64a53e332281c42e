package io.reactorvirtio.transport.ntb.sim;

import io.reactorvirtio.virtio.memory.SharedRegion;
import io.reactorvirtio.virtio.notify.FutexDoorbellLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Second-process HOST2 for {@link SimulatedNtbTest}: opens the file as HOST2, waits until HOST1's
 * poller is armed (the {@code waiters} word of HOST1's futex doorbell is 1, read through a second
 * mapping), rings HOST1 doorbell bit {@code args[1]} and exits. Prints {@code ARMED-SEEN} and
 * {@code RANG}; exits 2 if HOST1 never arms within 20 s.
 */
public final class NtbSimRingPeer {

  private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);

  private NtbSimRingPeer() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    int queue = Integer.parseInt(args[1]);
    long waiters = NtbSimLayout.port(NtbSimLayout.HOST1, NtbSimLayout.DOORBELL)
        + FutexDoorbellLayout.WAITERS_OFFSET;
    try (SimulatedNtb.Host2 h2 = SimulatedNtb.host2(file);
        SharedRegion raw = SharedRegion.open(file)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (raw.segment().get(U32, waiters) == 0) {
        if (System.nanoTime() > deadline) {
          System.out.println("TIMEOUT waiting for HOST1 to arm");
          System.exit(2);
        }
        Thread.onSpinWait();
      }
      System.out.println("ARMED-SEEN");
      Thread.sleep(50); // let HOST1 reach FUTEX_WAIT; not an assertion, await is correct either way
      h2.driverDoorbell(queue).ring();
      System.out.println("RANG");
    }
  }
}
