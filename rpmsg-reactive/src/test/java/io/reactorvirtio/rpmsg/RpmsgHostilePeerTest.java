package io.reactorvirtio.rpmsg;

import io.reactorvirtio.rpmsg.virtio.RpmsgVirtio;
import static io.reactorvirtio.rpmsg.RpmsgBusLoopbackTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.testsupport.ShmFiles;
import io.reactorvirtio.vhost.link.VhostShmLink;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.Virtqueue;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.link.VirtioShmLink;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;

/**
 * The test plays a hostile (or merely sloppy, real) peer: it writes raw frames through the other
 * side's {@link Virtqueue#send}. Each bad input is counted and dropped; the bus keeps working.
 */
class RpmsgHostilePeerTest {

  private static final Duration T = Duration.ofSeconds(10);
  private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  @RegisterExtension final ShmFiles shm = new ShmFiles();

  /** A raw frame of {@code total} bytes: header fields as given, then {@code payload}, rest zero. */
  static MemorySegment frame(int src, int dst, int len, int reserved, int flags, byte[] payload, int total) {
    MemorySegment s = MemorySegment.ofArray(new byte[total]);
    if (total >= 16) {
      s.set(U32, 0, src);
      s.set(U32, 4, dst);
      s.set(U32, 8, reserved);
      s.set(U16, 12, (short) len);
      s.set(U16, 14, (short) flags);
      MemorySegment.copy(payload, 0, s, ValueLayout.JAVA_BYTE, 16, Math.min(payload.length, total - 16));
    }
    return s;
  }

  static MemorySegment frame(int src, int dst, byte[] payload) {
    return frame(src, dst, payload.length, 0, 0, payload, 16 + payload.length);
  }

  static byte[] ns(byte[] name32, int addr, int flags) {
    MemorySegment p = MemorySegment.ofArray(new byte[40]);
    MemorySegment.copy(name32, 0, p, ValueLayout.JAVA_BYTE, 0, Math.min(32, name32.length));
    p.set(U32, 32, addr);
    p.set(U32, 36, flags);
    return p.toArray(ValueLayout.JAVA_BYTE);
  }

  static byte[] ns(String name, int addr, int flags) {
    return ns(name.getBytes(StandardCharsets.US_ASCII), addr, flags);
  }

  static void raw(Virtqueue q, MemorySegment... frames) {
    q.send(Flux.just(frames)).block(T);
  }

  @Test
  void badInputFromTheDeviceIsCountedDroppedAndTheDriverBusKeepsWorking() {
    var file = shm.newPath("hostile");
    try (VirtioShmLink driverLink = VirtioShmLink.create(file, ShmLinkOptions.defaults());
        VhostShmLink deviceLink = VhostShmLink.open(file, IdlePolicy.defaults(), T);
        RpmsgBus bus = RpmsgVirtio.driver(driverLink, RpmsgOptions.defaults().withMaxChannels(4))) {
      Virtqueue peer = deviceLink.queue(0); // the device sends on queue 0
      RpmsgEndpoint ep = bus.createEndpoint(EndpointOptions.named("victim")).block(T);
      int me = ep.address();

      // 1. header len running past the buffer: 600 in a 26-byte message; 497 in a 512-byte one; a 10-byte message.
      raw(peer, frame(0x400, me, 600, 0, 0, new byte[10], 26), frame(0x400, me, 497, 0, 0, new byte[0], 512),
          frame(0, 0, 0, 0, 0, new byte[0], 10));
      waitFor(() -> bus.stats().droppedBadHeader() == 3);

      // 2. name-service message of the wrong size (39 and 41 bytes).
      raw(peer, frame(0x400, 53, new byte[39]), frame(0x400, 53, new byte[41]));
      waitFor(() -> bus.stats().droppedBadNameService() == 2);
      assertThat(bus.remoteChannels()).isEmpty();

      // 3. unterminated name: accepted, cut at 31 bytes (Linux forces name[31] = 0), counted.
      byte[] a32 = "a".repeat(32).getBytes(StandardCharsets.US_ASCII);
      raw(peer, frame(0x500, 53, ns(a32, 0x500, 0)));
      waitFor(() -> bus.stats().unterminatedNames() == 1);
      waitFor(() -> bus.remoteChannels().size() == 1);
      assertThat(bus.remoteChannels().getFirst().name()).isEqualTo("a".repeat(31));

      // 4. destroy for a channel that does not exist.
      raw(peer, frame(0x999, 53, ns("never-announced", 0x999, 1)));
      waitFor(() -> bus.stats().droppedUnknownDestroy() == 1);

      // 5. announcement flood beyond the bound (4): 10 more, 3 fit.
      MemorySegment[] flood = new MemorySegment[10];
      for (int i = 0; i < flood.length; i++) {
        flood[i] = frame(0x600 + i, 53, ns("flood-" + i, 0x600 + i, 0));
      }
      raw(peer, flood);
      waitFor(() -> bus.stats().droppedChannelLimit() == 7);
      assertThat(bus.remoteChannels()).hasSize(4);

      // 6. message to an address nobody holds; and to the address service, not negotiated here.
      raw(peer, frame(0x400, 4242, "lost".getBytes(StandardCharsets.US_ASCII)), frame(0x400, 54, new byte[44]));
      waitFor(() -> bus.stats().droppedUnknownAddress() == 2);

      // The bus still works: a real peer's message with a used length covering the whole buffer and a
      // scribbled reserved field and flags is delivered with the header's length.
      byte[] hello = "still alive".getBytes(StandardCharsets.US_ASCII);
      raw(peer, frame(0x777, me, hello.length, 0xDEADBEEF, 0x1234, hello, 512));
      RpmsgMessage m = ep.receive().next().block(T);
      try {
        assertThat(m.toUtf8()).isEqualTo("still alive");
        assertThat(m.length()).isEqualTo(hello.length);
        assertThat(m.data().byteSize()).isEqualTo(hello.length);
        assertThat(m.source()).isEqualTo(0x777);
        assertThat(m.destination()).isEqualTo(me);
      } finally {
        m.release();
      }
      assertThat(ep.destination()).as("bound to the source of the first message").isEqualTo(0x777);
      RpmsgStats s = bus.stats();
      assertThat(s.dropped()).isEqualTo(3 + 2 + 1 + 7 + 2);
      assertThat(s.delivered()).isEqualTo(1);
      assertThat(s.received()).isEqualTo(3 + 2 + 1 + 1 + 10 + 2 + 1);
      assertThat(driverLink.queue(0).outstandingLeases()).as("every dropped buffer went back").isZero();
    }
  }

  @Test
  void badInputFromTheDriverIsCountedOnTheDeviceBusToo() {
    var file = shm.newPath("hostile2");
    try (VirtioShmLink driverLink = VirtioShmLink.create(file, ShmLinkOptions.defaults());
        VhostShmLink deviceLink = VhostShmLink.open(file, IdlePolicy.defaults(), T);
        RpmsgBus bus = RpmsgVirtio.device(deviceLink, RpmsgOptions.defaults().withAddressService())) {
      Virtqueue peer = driverLink.queue(1); // the driver sends on queue 1
      // The raw driver must post receive buffers (by demand) for the device's announcement to go out.
      var announcements = new java.util.concurrent.CopyOnWriteArrayList<byte[]>();
      var rx = driverLink.queue(0).receive().subscribe(l -> {
        announcements.add(l.toByteArray());
        l.release();
      });
      RpmsgEndpoint ep = bus.createEndpoint(EndpointOptions.named("svc").announced()).block(T);
      int me = ep.address();
      waitFor(() -> announcements.size() == 1);
      // NS CREATE with the RFC's AS_ANNOUNCE flag (2), src = the endpoint, len 40, exactly 56 bytes in the ring.
      MemorySegment nsc = MemorySegment.ofArray(announcements.getFirst());
      assertThat(nsc.byteSize()).isEqualTo(56);
      assertThat(nsc.get(U32, 0)).isEqualTo(me);
      assertThat(nsc.get(U32, 4)).isEqualTo(53);
      assertThat(nsc.get(U16, 12)).isEqualTo((short) 40);
      assertThat(nsc.get(U32, 16 + 32)).isEqualTo(me);
      assertThat(nsc.get(U32, 16 + 36)).isEqualTo(2);
      byte[] as43 = new byte[43];
      MemorySegment asForNobody = MemorySegment.ofArray(new byte[44]);
      MemorySegment.copy("svc".getBytes(StandardCharsets.US_ASCII), 0, asForNobody, ValueLayout.JAVA_BYTE, 0, 3);
      asForNobody.set(U32, 32, 0x400);
      asForNobody.set(U32, 36, 4242); // not our address
      asForNobody.set(U32, 40, 1);
      raw(peer, frame(0x400, me, 100, 0, 0, new byte[4], 20), frame(0x400, 54, as43),
          frame(0x400, 54, asForNobody.toArray(ValueLayout.JAVA_BYTE)));
      waitFor(() -> bus.stats().droppedBadHeader() == 1 && bus.stats().droppedBadAddressService() == 2);
      assertThat(ep.destination()).isEqualTo(RpmsgAddress.ANY);
      raw(peer, frame(0x401, me, "ok".getBytes(StandardCharsets.US_ASCII)));
      RpmsgMessage m = ep.receive().next().block(T);
      assertThat(m.toUtf8()).isEqualTo("ok");
      m.release();
      assertThat(deviceLink.queue(1).outstandingLeases()).isZero();
      rx.dispose();
    }
  }

  @Test
  void randomFramesAreEachDeliveredActedOnOrCountedAndNeverBreakTheBus() {
    var file = shm.newPath("random");
    try (VirtioShmLink driverLink = VirtioShmLink.create(file, ShmLinkOptions.defaults());
        VhostShmLink deviceLink = VhostShmLink.open(file, IdlePolicy.defaults(), T);
        RpmsgBus bus = RpmsgVirtio.driver(driverLink, RpmsgOptions.defaults().withAddressService().withMaxChannels(16))) {
      Virtqueue peer = deviceLink.queue(0);
      RpmsgEndpoint ep = bus.createEndpoint(EndpointOptions.named("target")).block(T);
      int me = ep.address();
      java.util.concurrent.atomic.AtomicLong got = new java.util.concurrent.atomic.AtomicLong();
      java.util.concurrent.atomic.AtomicBoolean oversize = new java.util.concurrent.atomic.AtomicBoolean();
      var sub = ep.receive().subscribe(m -> {
        if (m.length() > 496 || m.data().byteSize() != m.length()) {
          oversize.set(true);
        }
        got.incrementAndGet();
        m.release();
      });
      java.util.Random rnd = new java.util.Random(42);
      int n = 3000;
      int[] dsts = {53, 54, me, 0xFFFFFFFF, 7};
      MemorySegment[] frames = new MemorySegment[n];
      for (int i = 0; i < n; i++) {
        int total = rnd.nextInt(8) == 0 ? rnd.nextInt(16) : 16 + rnd.nextInt(497);
        int dst = rnd.nextInt(3) == 0 ? rnd.nextInt() : dsts[rnd.nextInt(dsts.length)];
        byte[] body = new byte[Math.max(0, total - 16)];
        rnd.nextBytes(body);
        int len = switch (rnd.nextInt(4)) {
          case 0 -> rnd.nextInt(0x10000);
          case 1 -> body.length;
          case 2 -> dst == 53 ? 40 : 44;
          default -> rnd.nextInt(body.length + 1);
        };
        if (dst == 53 && len == 40 && body.length >= 40 && rnd.nextBoolean()) {
          body[36] = (byte) rnd.nextInt(4); // flags: create, destroy, AS_ANNOUNCE...
          body[37] = body[38] = body[39] = 0;
        }
        frames[i] = frame(rnd.nextInt(), dst, len, rnd.nextInt(), rnd.nextInt(), body, total);
      }
      for (int i = 0; i < n; i += 100) {
        raw(peer, java.util.Arrays.copyOfRange(frames, i, Math.min(n, i + 100)));
      }
      waitFor(() -> bus.stats().received() == n);
      RpmsgStats s = bus.stats();
      assertThat(s.delivered() + s.control() + s.dropped()).as(s.toString()).isEqualTo(n);
      System.out.println("random frames: " + s);
      assertThat(s.delivered()).isPositive();
      assertThat(s.control()).isPositive();
      assertThat(s.droppedBadHeader()).isPositive();
      assertThat(s.droppedUnknownAddress()).isPositive();
      assertThat(s.droppedBadNameService()).isPositive();
      assertThat(bus.remoteChannels().size()).isLessThanOrEqualTo(16);
      waitFor(() -> got.get() == s.delivered());
      assertThat(oversize.get()).isFalse();
      assertThat(driverLink.queue(0).outstandingLeases()).isZero();
      sub.dispose();
      // Still working.
      raw(peer, frame(0x400, me, "after".getBytes(StandardCharsets.US_ASCII)));
      RpmsgMessage m = ep.receive().next().block(T);
      assertThat(m.toUtf8()).isEqualTo("after");
      m.release();
    }
  }
}
