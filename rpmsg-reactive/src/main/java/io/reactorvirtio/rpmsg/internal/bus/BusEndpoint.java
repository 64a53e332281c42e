package io.reactorvirtio.rpmsg.internal.bus;

import io.reactorvirtio.rpmsg.OverflowPolicy;
import io.reactorvirtio.rpmsg.RpmsgAddress;
import io.reactorvirtio.rpmsg.RpmsgEndpoint;
import io.reactorvirtio.rpmsg.RpmsgEndpointClosedException;
import io.reactorvirtio.rpmsg.RpmsgMessage;
import io.reactorvirtio.rpmsg.RpmsgTimeoutException;
import io.reactorvirtio.virtio.BufferWriter;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;

/**
 * One endpoint: a bounded queue that the poller fills with pooled messages, drained by a unicast
 * {@code Flux} under a work-in-progress counter (so delivery is serialized whichever thread
 * requests). Under {@link OverflowPolicy#BACKPRESSURE} a queue at capacity tells the bus to stop
 * ring credit; the bus already granted at most one ring's worth, so the queue array holds capacity
 * plus the inbound ring size and never rejects.
 */
final class BusEndpoint implements RpmsgEndpoint {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BusEndpoint.class);

  private final VirtioRpmsgBus bus;
  private final int address;
  private final String name;
  private final boolean announced;
  private final int capacity;
  private final OverflowPolicy policy;
  private final SpscMessageQueue queue;
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicBoolean full = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicReference<@Nullable Receiver> receiver = new AtomicReference<>();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closed;
  /** Set by the bus when the link went down: the queued messages belong to the dead link. */
  private volatile boolean purge;
  /** A destination given at creation to an unnamed endpoint survives a link bounce; learned ones do not. */
  private final boolean pinned;
  private volatile @Nullable Throwable failure;
  private volatile int destination;
  private Sinks.One<Integer> bindSink = Sinks.one();
  /** Remote channel this endpoint acknowledged through the address service, or ANY. */
  volatile int assignedTo = RpmsgAddress.ANY;

  BusEndpoint(VirtioRpmsgBus bus, int address, String name, int destination, boolean announced, int capacity,
      OverflowPolicy policy, int inboundRingSize) {
    this.bus = bus;
    this.address = address;
    this.name = name;
    this.destination = destination;
    this.announced = announced;
    this.capacity = capacity;
    this.policy = policy;
    this.queue = new SpscMessageQueue(capacity + inboundRingSize);
    this.pinned = destination != RpmsgAddress.ANY && name.isEmpty();
    if (destination != RpmsgAddress.ANY) {
      bindSink.tryEmitValue(destination);
    }
  }

  // ---- identity ----

  @Override
  public int address() {
    return address;
  }

  @Override
  public String name() {
    return name;
  }

  boolean isAnnounced() {
    return announced;
  }

  @Override
  public int destination() {
    return destination;
  }

  @Override
  public int mtu() {
    return bus.mtu();
  }

  String describe() {
    return "'" + name + "' @" + RpmsgAddress.toString(address) + " (" + bus.options().name() + ")";
  }

  @Override
  public String toString() {
    return "RpmsgEndpoint[" + describe() + " -> " + RpmsgAddress.toString(destination) + "]";
  }

  // ---- binding ----

  /** Sets the destination if it is still unknown; returns whether it did. */
  synchronized boolean bind(int dst, String how) {
    if (destination != RpmsgAddress.ANY || dst == RpmsgAddress.ANY) {
      return false;
    }
    destination = dst;
    bindSink.tryEmitValue(dst);
    if (log.isDebugEnabled()) {
      bus.debugLater("{}: bound to {} ({})", describe(), RpmsgAddress.toString(dst), how);
    }
    return true;
  }

  /** Forgets the destination if it is {@code dst}. */
  synchronized boolean unbind(int dst) {
    if (destination != dst || dst == RpmsgAddress.ANY) {
      return false;
    }
    destination = RpmsgAddress.ANY;
    bindSink = Sinks.one();
    return true;
  }

  private synchronized Mono<Integer> destinationMono() {
    int d = destination;
    return d != RpmsgAddress.ANY ? Mono.just(d) : bindSink.asMono();
  }

  @Override
  public Mono<Integer> bound() {
    Duration t = bus.options().bindTimeout();
    return Mono.defer(this::destinationMono)
        .timeout(t, Mono.defer(() -> Mono.error(new RpmsgTimeoutException("rpmsg endpoint " + describe()
            + ": no peer address after " + t + " (no announcement by that name, no address-service assignment, "
            + "no message received)", t))));
  }

  // ---- send ----

  @Override
  public Mono<Void> send(Publisher<? extends MemorySegment> payloads, @Nullable Duration timeout) {
    return bus.send(this, RpmsgAddress.ANY, payloads, null, null, timeout);
  }

  @Override
  public Mono<Void> sendTo(int dst, Publisher<? extends MemorySegment> payloads, @Nullable Duration timeout) {
    if (dst == RpmsgAddress.ANY) {
      return Mono.error(new IllegalArgumentException("rpmsg endpoint " + describe() + ": cannot send to ANY"));
    }
    return bus.send(this, dst, payloads, null, null, timeout);
  }

  @Override
  public <T> Mono<Void> send(Publisher<? extends T> items, BufferWriter<T> writer) {
    return bus.send(this, RpmsgAddress.ANY, items, writer, null, null);
  }

  @Override
  public <T> Mono<Void> sendEach(Publisher<? extends T> items, java.util.function.ToIntFunction<? super T> destination,
      BufferWriter<T> writer) {
    return bus.send(this, RpmsgAddress.ANY, items, writer, destination, null);
  }

  Mono<Integer> destinationForSend() {
    return Mono.defer(this::destinationMono);
  }

  // ---- receive (producer side: poller thread) ----

  /**
   * Poller thread: under {@link OverflowPolicy#DROP} with a full queue, releases {@code m}, counts
   * it and returns true. Only the poller adds to the queue, so a false answer stays true until
   * {@link #enqueue} (the consumer can only make room).
   */
  boolean dropIfFull(PooledMessage m) {
    if (policy == OverflowPolicy.DROP && queue.size() >= capacity) {
      m.release();
      dropped.incrementAndGet();
      return true;
    }
    return false;
  }

  /** Poller thread: queues {@code m} and delivers what the subscriber asked for. */
  void enqueue(PooledMessage m) {
    if (!queue.offer(m)) {
      // Cannot happen: the bus grants at most one ring of credit beyond a full queue.
      m.release();
      dropped.incrementAndGet();
      bus.logLater("{}: receive queue overflow beyond capacity {} + ring; message dropped", describe(), capacity);
      return;
    }
    if (policy == OverflowPolicy.BACKPRESSURE && queue.size() >= capacity && full.compareAndSet(false, true)) {
      bus.endpointFull();
      // Re-check: the consumer may have drained below capacity before it could see the flag.
      if (queue.size() < capacity && full.compareAndSet(true, false)) {
        bus.endpointDrained();
      }
    }
    drain();
  }

  @Override
  public long dropped() {
    return dropped.get();
  }

  @Override
  public int queued() {
    return queue.size();
  }

  // ---- receive (consumer side) ----

  @Override
  public Flux<RpmsgMessage> receive() {
    return new Flux<>() {
      @Override
      public void subscribe(CoreSubscriber<? super RpmsgMessage> actual) {
        Receiver r = new Receiver(BusEndpoint.this, actual);
        if (closed) {
          Throwable f = failure;
          if (f != null) {
            Operators.error(actual, f);
          } else {
            Operators.complete(actual);
          }
          return;
        }
        if (!receiver.compareAndSet(null, r)) {
          Operators.error(actual, new IllegalStateException(
              "rpmsg endpoint " + describe() + " allows one receive() subscriber at a time"));
          return;
        }
        actual.onSubscribe(r);
        drain();
      }
    };
  }

  void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    for (;;) {
      if (purge && !closed) {
        purge = false;
        releaseQueued();
      }
      if (closed) {
        releaseQueued();
        Receiver r = receiver.getAndSet(null);
        if (r != null && !r.cancelled) {
          Throwable f = failure;
          if (f != null) {
            r.actual.onError(f);
          } else {
            r.actual.onComplete();
          }
        }
      } else {
        Receiver r = receiver.get();
        if (r != null) {
          long req = r.requested;
          long e = 0;
          while (e != req && !r.cancelled) {
            PooledMessage m = queue.poll();
            if (m == null) {
              break;
            }
            afterTake();
            e++;
            try {
              r.actual.onNext(m);
            } catch (Throwable t) {
              // onNext must not throw (Reactive Streams 2.13); one that does (a bug, or BlockHound
              // reporting a blocking call on the poller thread) ends this subscription, not the bus.
              reactor.core.Exceptions.throwIfJvmFatal(t);
              m.release(); // idempotent if the subscriber released it already
              r.cancelled = true;
              receiver.compareAndSet(r, null);
              bus.logLater("{}: receive() subscriber threw from onNext; subscription ended: {}", describe(),
                  t.toString());
              r.actual.onError(t);
              break;
            }
          }
          if (e != 0 && req != Long.MAX_VALUE) {
            Receiver.REQUESTED.addAndGet(r, -e);
          }
          if (r.cancelled) {
            receiver.compareAndSet(r, null);
          }
        }
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        break;
      }
    }
  }

  private void afterTake() {
    if (full.get() && queue.size() < capacity && full.compareAndSet(true, false)) {
      bus.endpointDrained();
    }
  }

  private void releaseQueued() {
    PooledMessage m;
    while ((m = queue.poll()) != null) {
      try {
        m.release();
      } catch (RuntimeException e) {
        // The link may be unmapped already (virtio's release then fails): the buffer is gone anyway.
      }
    }
    if (full.compareAndSet(true, false)) {
      bus.endpointDrained();
    }
  }

  /** The link went down: forget what the peer taught us and drop what it sent. */
  void linkDown() {
    synchronized (this) {
      if (!pinned && destination != RpmsgAddress.ANY) {
        destination = RpmsgAddress.ANY;
        bindSink = Sinks.one();
      }
    }
    assignedTo = RpmsgAddress.ANY;
    purge = true;
    drain();
  }

  // ---- close ----

  boolean startClosing() {
    return closing.compareAndSet(false, true);
  }

  /** Ends receive() (completing it, or failing it with {@code cause}) and releases the queue. */
  void terminate(@Nullable Throwable cause) {
    failure = cause;
    closed = true;
    drain();
  }

  @Override
  public boolean isClosed() {
    return closing.get() || closed;
  }

  boolean isTerminated() {
    return closed;
  }

  @Override
  public Mono<Void> close() {
    return bus.closeEndpoint(this);
  }

  RpmsgEndpointClosedException closedError() {
    return new RpmsgEndpointClosedException("rpmsg endpoint " + describe() + " is closed");
  }

  static final class Receiver implements Subscription {

    static final AtomicLongFieldUpdater<Receiver> REQUESTED =
        AtomicLongFieldUpdater.newUpdater(Receiver.class, "requested");

    final BusEndpoint parent;
    final CoreSubscriber<? super RpmsgMessage> actual;
    volatile long requested;
    volatile boolean cancelled;

    Receiver(BusEndpoint parent, CoreSubscriber<? super RpmsgMessage> actual) {
      this.parent = parent;
      this.actual = actual;
    }

    @Override
    public void request(long n) {
      if (Operators.validate(n)) {
        Operators.addCap(REQUESTED, this, n);
        parent.drain();
      }
    }

    @Override
    public void cancel() {
      cancelled = true;
      parent.drain();
    }
  }
}
