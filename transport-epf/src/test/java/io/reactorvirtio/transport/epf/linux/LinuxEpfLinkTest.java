package io.reactorvirtio.transport.epf.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactorvirtio.vhost.transport.VhostTransportLink;
import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.LinkState;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.memory.SharedRegion;
import io.reactorvirtio.virtio.transport.TransportMemoryLayout;
import io.reactorvirtio.virtio.transport.VirtioRegisters;
import io.reactorvirtio.virtio.transport.VirtioTransportLink;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/**
 * The real links ({@link VirtioTransportLink} on {@link LinuxEpfRc}, {@link VhostTransportLink} on
 * {@link LinuxEpfEp}) over {@link FakeEpfBoard}: negotiation through the shared register file,
 * rings at bus addresses in the reserved memory, traffic both ways. A test thread plays the EPF
 * this transport assumes: it consumes the EP's MSI request register (swapping in −1) and raises
 * the RC's interrupt by writing a UIO count into the RC's {@code /dev/uio0} FIFO. RC→EP kicks are
 * polled by the EP every 1 ms, as in the RFC.
 */
class LinuxEpfLinkTest {

  static final ShmLinkOptions OPTIONS = ShmLinkOptions.defaults().withQueueSize(16);
  static final VarHandle I32 = ValueLayout.JAVA_INT.varHandle();
  static final long MSI_REQUEST = 0x80;

  @TempDir Path tmp;

  @Test
  void negotiatesAndEchoesOverTheFakeBoard() throws Exception {
    FakeEpfBoard board = new FakeEpfBoard(tmp);
    assertThat(TransportMemoryLayout.requiredBytes(2, 16, 512)).isLessThanOrEqualTo(FakeEpfBoard.DRAM);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger msis = new AtomicInteger();
    try (SharedRegion epfView = SharedRegion.open(board.bar0)) {
      MemorySegment bar = epfView.segment();
      I32.setVolatile(bar, MSI_REQUEST, -1); // the EPF's idle value
      LinuxEpfRc rcTransport = LinuxEpfRc.openSysfs(board.rcSys, FakeEpfBoard.ADDR,
          new EpfBarMap(0, 0x100, 2, 2, 0x40), board.rcUio(), Optional.of(board.reservedDram()));
      try (OutputStream rcIrq = new FileOutputStream(board.rcDev.resolve("uio0").toFile())) {
        Thread epf = Thread.ofPlatform().daemon().name("fake-epf").start(() -> {
          int count = 0;
          while (!stop.get()) {
            int q = (int) I32.getAndSet(bar, MSI_REQUEST, -1);
            if (q != -1) {
              msis.incrementAndGet();
              try {
                rcIrq.write(FakeEpfBoard.count(++count));
                rcIrq.flush();
              } catch (java.io.IOException e) {
                return;
              }
            }
            LockSupport.parkNanos(100_000);
          }
        });
        LinuxEpfEp.Config c = LinuxEpfEp.Config.polling(board.epUio(0), 0, 0x100, 2, MSI_REQUEST,
            board.epUio(1), 0, FakeEpfBoard.BUS, Duration.ofMillis(1));
        try (VirtioTransportLink rc = VirtioTransportLink.create(rcTransport, OPTIONS);
            VhostTransportLink ep = VhostTransportLink.create(LinuxEpfEp.open(c), OPTIONS)) {
          awaitUp(rc.states());
          awaitUp(ep.states());
          assertThat(ep.queues()).hasSize(2);
          // the rings were programmed with bus addresses inside the reserved memory
          LinuxEpfRc regsView = rcTransport;
          long desc = (regsView.registers().read(VirtioRegisters.queue(1, VirtioRegisters.QUEUE_DESC_LO)) & 0xFFFF_FFFFL)
              | (long) regsView.registers().read(VirtioRegisters.queue(1, VirtioRegisters.QUEUE_DESC_HI)) << 32;
          assertThat(desc).isGreaterThanOrEqualTo(FakeEpfBoard.BUS).isLessThan(FakeEpfBoard.BUS + FakeEpfBoard.DRAM);
          echo(rc, ep, 300);
          assertThat(msis.get()).isPositive(); // the RC was woken through the EPF's MSI path
        } finally {
          stop.set(true);
          epf.join(5_000);
        }
      }
    }
  }

  static void awaitUp(Flux<LinkState> states) {
    assertThat(states.filter(s -> s == LinkState.UP).blockFirst(Duration.ofSeconds(10))).isEqualTo(LinkState.UP);
  }

  static void echo(VirtioTransportLink driver, VhostTransportLink device, int n) {
    var loop = device.queue(0).send(device.queue(1).receive().take(n), (BufferLease lease, MemorySegment buf) -> {
      int len = lease.length();
      lease.copyTo(buf, 0);
      lease.release();
      return len;
    }).subscribe();
    try {
      List<Long> back = driver.queue(0).receive().take(n).map(lease -> {
        long v = lease.data().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        lease.release();
        return v;
      }).collectList().zipWith(driver.queue(1).send(Flux.range(0, n), (Integer i, MemorySegment buf) -> {
        buf.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, i);
        return 8;
      }).thenReturn(0)).map(t -> t.getT1()).block(Duration.ofSeconds(30));
      assertThat(back).hasSize(n);
      for (int i = 0; i < n; i++) {
        assertThat(back.get(i)).isEqualTo(i);
      }
    } finally {
      loop.dispose();
    }
  }
}
