package io.reactorvirtio.rpmsg;

import io.reactorvirtio.rpmsg.virtio.RpmsgVirtio;
import io.reactorvirtio.vhost.link.VhostShmLink;
import io.reactorvirtio.virtio.IdlePolicy;
import io.reactorvirtio.virtio.link.ShmLinkOptions;
import io.reactorvirtio.virtio.link.VirtioShmLink;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import reactor.core.Disposable;

/** Both roles in one JVM: a driver bus on a VirtioShmLink and a device bus on a VhostShmLink of the same file. */
final class Loopback implements AutoCloseable {

  final VirtioShmLink driverLink;
  final VhostShmLink deviceLink;
  final RpmsgBus driver;
  final RpmsgBus device;

  Loopback(Path file, ShmLinkOptions link, RpmsgOptions driverOptions, RpmsgOptions deviceOptions) {
    this.driverLink = VirtioShmLink.create(file, link);
    this.deviceLink = VhostShmLink.open(file, link.idle(), Duration.ofSeconds(5));
    this.driver = RpmsgVirtio.driver(driverLink, driverOptions.withName("driver"));
    this.device = RpmsgVirtio.device(deviceLink, deviceOptions.withName("device"));
  }

  Loopback(Path file, RpmsgOptions options) {
    this(file, ShmLinkOptions.defaults().withIdle(IdlePolicy.spinThenPark(Duration.ofNanos(50_000))), options,
        options);
  }

  Loopback(Path file) {
    this(file, RpmsgOptions.defaults());
  }

  /** Echoes every message back to its source, payload copied straight into the ring buffer. */
  static Disposable echo(RpmsgEndpoint ep) {
    return ep.send(ep.receive(), (RpmsgMessage m, MemorySegment buf) -> {
      int n = m.length();
      m.copyTo(buf, 0);
      m.release();
      return n;
    }).subscribe();
  }

  static MemorySegment utf8(String s) {
    return MemorySegment.ofArray(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Payload {@code seq}: size {@code seq % 497} (0..496), byte k = seq*31 + k, first 4 bytes the sequence when it fits. */
  static MemorySegment payload(int seq) {
    int size = seq % 497;
    byte[] b = new byte[size];
    for (int k = 0; k < size; k++) {
      b[k] = (byte) (seq * 31 + k);
    }
    MemorySegment s = MemorySegment.ofArray(b);
    if (size >= 4) {
      s.set(ValueLayout.JAVA_INT_UNALIGNED, 0, seq);
    }
    return s;
  }

  /** Whether {@code data} is exactly {@link #payload(int) payload(seq)}. */
  static boolean matches(int seq, MemorySegment data) {
    int size = seq % 497;
    if (data.byteSize() != size) {
      return false;
    }
    if (size >= 4 && data.get(ValueLayout.JAVA_INT_UNALIGNED, 0) != seq) {
      return false;
    }
    for (int k = 4; k < size; k++) {
      if (data.get(ValueLayout.JAVA_BYTE, k) != (byte) (seq * 31 + k)) {
        return false;
      }
    }
    for (int k = 0; k < Math.min(4, size); k++) {
      if (size < 4 && data.get(ValueLayout.JAVA_BYTE, k) != (byte) (seq * 31 + k)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    driver.close();
    device.close();
    deviceLink.close();
    driverLink.close();
  }
}
