package io.reactorvirtio.transport.openamp;

import io.reactorvirtio.rpmsg.EndpointOptions;
import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.rpmsg.RpmsgEndpoint;
import io.reactorvirtio.rpmsg.RpmsgMessage;
import io.reactorvirtio.rpmsg.RpmsgOptions;
import io.reactorvirtio.rpmsg.virtio.RpmsgVirtio;
import io.reactorvirtio.transport.openamp.OpenAmpOptions.VirtioRole;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** rpmsg on an OpenAMP link, as OpenAMP's demo pair does it: the device announces and echoes. */
final class RpmsgEcho {

  /** The channel name of OpenAMP's echo demo. */
  static final String CHANNEL = "rpmsg-openamp-demo-channel";

  private RpmsgEcho() {}

  /** The rpmsg bus for a link's role: driver uses queue 0 to receive, device queue 1. */
  static RpmsgBus bus(OpenAmpLink link, String name) {
    RpmsgOptions o = RpmsgOptions.defaults().withName(name);
    return link.options().virtioRole() == VirtioRole.DRIVER
        ? RpmsgVirtio.bus(link.queue(0), link.queue(1), o)
        : RpmsgVirtio.bus(link.queue(1), link.queue(0), o);
  }

  /** Announces {@link #CHANNEL} and echoes {@code n} messages back; completes after the n-th. */
  static Mono<Integer> serve(RpmsgBus bus, int n, Duration t) {
    return bus.createEndpoint(EndpointOptions.named(CHANNEL).announced()).flatMap(ep -> {
      AtomicInteger echoed = new AtomicInteger();
      return ep.send(ep.receive().take(n), (RpmsgMessage m, MemorySegment buf) -> {
        int len = m.length();
        m.copyTo(buf, 0);
        m.release();
        echoed.incrementAndGet();
        return len;
      }).then(Mono.fromSupplier(echoed::get));
    });
  }

  /** Waits for the announcement, sends {@code n} payloads of 0..496 bytes, checks the echoes in order. */
  static Mono<Integer> ping(RpmsgBus bus, int n, Duration t) {
    return bus.openChannel(CHANNEL).flatMap(ep -> {
      AtomicInteger next = new AtomicInteger();
      Mono<Integer> got = ep.receive().take(n).map(m -> {
        int seq = next.getAndIncrement();
        boolean ok = matches(seq, m.data());
        m.release();
        if (!ok) {
          throw new IllegalStateException("echo " + seq + " differs");
        }
        return seq;
      }).count().map(Long::intValue);
      return Mono.zip(got, ep.send(Flux.range(0, n).map(RpmsgEcho::payload), t).thenReturn(0)).map(x -> x.getT1());
    });
  }

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
    return true;
  }
}
