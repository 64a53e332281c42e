package io.reactorvirtio.vhost.link;

import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.IdlePolicy;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Peer process for the two-process tests: the device side of a shared-memory link. Modes:
 * {@code echo N} echoes N messages from queue 1 to queue 0, checking that each carries the next
 * sequence number; {@code slow N micros} consumes N messages, one every {@code micros}.
 */
public final class EchoDevicePeer {

  private EchoDevicePeer() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    String mode = args[1];
    long n = Long.parseLong(args[2]);
    try (VhostShmLink link = VhostShmLink.open(file, IdlePolicy.spinThenPark(Duration.ofNanos(50_000)),
        Duration.ofSeconds(10))) {
      System.out.println("ATTACHED");
      AtomicLong expected = new AtomicLong();
      if (mode.equals("echo")) {
        link.queue(0).send(link.queue(1).receive().take(n), (BufferLease lease, java.lang.foreign.MemorySegment buf) -> {
          long seq = lease.data().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
          if (seq != expected.getAndIncrement()) {
            System.out.println("MISMATCH expected " + (expected.get() - 1) + " got " + seq);
            System.exit(3);
          }
          int len = lease.length();
          lease.copyTo(buf, 0);
          lease.release();
          return len;
        }).block(Duration.ofMinutes(5));
        System.out.println("ECHOED " + expected.get());
      } else {
        long micros = Long.parseLong(args[3]);
        link.queue(1).receive().take(n).limitRate(1).doOnNext(lease -> {
          long seq = lease.data().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
          if (seq != expected.getAndIncrement()) {
            System.out.println("MISMATCH expected " + (expected.get() - 1) + " got " + seq);
            System.exit(3);
          }
          lease.release();
          java.util.concurrent.locks.LockSupport.parkNanos(micros * 1000);
        }).blockLast(Duration.ofMinutes(5));
        System.out.println("CONSUMED " + expected.get());
      }
    }
  }
}
