package io.reactorvirtio.rpmsg;

import io.reactorvirtio.virtio.BufferWriter;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A local rpmsg address: what arrives for it, as a {@code Flux}, and a backpressured send.
 *
 * <pre>{@code
 * RpmsgEndpoint ep = bus.createEndpoint(EndpointOptions.named("echo").announced()).block();
 * ep.send(ep.receive(), (msg, buf) -> { int n = msg.length(); msg.copyTo(buf, 0); msg.release(); return n; })
 *   .subscribe();
 * }</pre>
 *
 * <p>{@link #receive()} is unicast and called on the link's poller thread: never block there
 * ({@code publishOn} to do so). Its demand drains the endpoint's bounded queue; see
 * {@link OverflowPolicy} for what a full queue does.
 */
public interface RpmsgEndpoint {

  /** This endpoint's address. */
  int address();

  /** Its name ("" when unnamed). */
  String name();

  /** The current default destination, or {@link RpmsgAddress#ANY} while unknown. */
  int destination();

  /** Completes with the destination once known (at once when it is), bounded by the bus's bind timeout. */
  Mono<Integer> bound();

  /** Largest payload of one message: buffer size − 16 (496 by default). */
  int mtu();

  /** Messages for this address, each a lease to release. One subscriber at a time. */
  Flux<RpmsgMessage> receive();

  /**
   * Sends each segment as one message to {@link #destination()}, waiting (within the timeout) for
   * the destination to become known and for ring buffers. Completes when the last message is in the
   * ring. A payload over {@link #mtu()} fails with {@link RpmsgMessageTooLargeException} before
   * anything of it is sent (those before it are sent); a call that waits for the peer (its address,
   * or a free ring buffer) longer than the bus's send timeout fails with
   * {@link RpmsgTimeoutException} naming this endpoint and what it waited for. Several endpoints
   * (and several calls) may send at once: they share the outbound ring, each call in its own order.
   */
  default Mono<Void> send(Publisher<? extends MemorySegment> payloads) {
    return send(payloads, (Duration) null);
  }

  /** {@link #send(Publisher)} with its own bound of waiting for the peer ({@code null}: the bus default). */
  Mono<Void> send(Publisher<? extends MemorySegment> payloads, @org.jspecify.annotations.Nullable Duration timeout);

  /** Sends to {@code destination} instead of the default one. */
  Mono<Void> sendTo(int destination, Publisher<? extends MemorySegment> payloads,
      @org.jspecify.annotations.Nullable Duration timeout);

  /**
   * Zero-copy send: {@code writer} encodes each item straight into the payload area of a ring
   * buffer (a segment of {@link #mtu()} bytes) and returns the payload length.
   */
  <T> Mono<Void> send(Publisher<? extends T> items, BufferWriter<T> writer);

  /**
   * Zero-copy send where each item names its own destination: a server answering whoever asked
   * ({@code destination.applyAsInt(reply)} is typically the request's {@link RpmsgMessage#source()}).
   * Does not wait for the endpoint's own destination. {@code writer} as in
   * {@link #send(Publisher, BufferWriter)}.
   */
  <T> Mono<Void> sendEach(Publisher<? extends T> items, java.util.function.ToIntFunction<? super T> destination,
      BufferWriter<T> writer);

  /** Messages this endpoint dropped because its queue was full ({@link OverflowPolicy#DROP}). */
  long dropped();

  /** Messages waiting in this endpoint's queue. */
  int queued();

  /**
   * Withdraws the endpoint: NS DESTROY if it was announced, completes {@link #receive()}, releases
   * what was queued, frees the address.
   */
  Mono<Void> close();

  boolean isClosed();
}
