package io.reactorvirtio.virtio;

import java.lang.foreign.MemorySegment;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One virtqueue of a link, as a backpressured pair. A queue carries messages one way: from this
 * side it is either {@link Direction#INBOUND} ({@link #receive()}) or {@link Direction#OUTBOUND}
 * ({@link #send}).
 *
 * <pre>{@code
 * Virtqueue tx = link.queue(1);
 * tx.send(Flux.range(0, 1000).map(i -> MemorySegment.ofArray(("msg " + i).getBytes())))
 *   .block(Duration.ofSeconds(5));
 *
 * Virtqueue rx = link.queue(0);
 * rx.receive().limitRate(64).subscribe(lease -> { handle(lease.data()); lease.release(); });
 * }</pre>
 *
 * <p>Demand is ring credit: {@code receive()} hands buffers back to the ring only as fast as its
 * subscriber requests, so a slow subscriber stalls the sender on the other side, losslessly;
 * {@code send} requests from its publisher only as many items as there are free buffers. The
 * receiving subscriber is called on the link's poller thread: blocking work must {@code publishOn}.
 */
public interface Virtqueue {

  /** Which way messages go, seen from this side. */
  enum Direction {
    INBOUND,
    OUTBOUND
  }

  /** The queue index on the link. */
  int index();

  String name();

  /** Descriptors in the ring. */
  int size();

  Direction direction();

  /** Largest message a buffer holds. */
  int maxMessageSize();

  /**
   * Received messages as zero-copy leases; each must be {@linkplain BufferLease#release()
   * released}. One subscriber at a time; a new one may subscribe as soon as the previous one
   * cancelled. Operators that drop elements (such as {@code filter}) hand them to Reactor's discard
   * hook: add {@code .doOnDiscard(BufferLease.class, BufferLease::release)} after them, or leases
   * leak (the link logs leaked leases when it closes). Errors: {@link RingViolationException} when the peer
   * breaks the ring, {@link LinkDownException} when the link closes.
   *
   * @throws QueueClosedException (as {@code onError}) on an outbound queue
   */
  Flux<BufferLease> receive();

  /**
   * Sends each item, encoded by {@code writer} straight into a ring buffer. Completes when the last
   * item is in the ring (and the peer notified if it asked to be); fails with
   * {@link MessageTooLargeException} for an item that does not fit, having sent those before it.
   */
  <T> Mono<Void> send(Publisher<? extends T> items, BufferWriter<T> writer);

  /** Sends each segment's bytes (copied into ring buffers). */
  default Mono<Void> send(Publisher<? extends MemorySegment> messages) {
    return send(messages, BufferWriter.copying());
  }

  /** Receive leases handed out and not yet released (0 on an outbound queue). */
  int outstandingLeases();

  /** Whether the peer broke this queue's ring protocol. */
  boolean isBroken();
}
