package io.reactorvirtio.virtio.internal.reactive;

import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.BufferWriter;
import io.reactorvirtio.virtio.QueueClosedException;
import io.reactorvirtio.virtio.Virtqueue;
import io.reactorvirtio.virtio.internal.poll.LinkPoller;
import io.reactorvirtio.virtio.internal.queue.ReceiveRing;
import io.reactorvirtio.virtio.internal.queue.SendRing;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A {@link Virtqueue} over one ring adapter, for either role. */
public final class QueueHandle implements Virtqueue {

  private final int index;
  private final String name;
  private final int size;
  private final @Nullable ReceiveRing rx;
  private final @Nullable SendRing tx;
  private final @Nullable QueueFluxReceive receive;
  private final @Nullable QueueMonoSend send;
  /** Set once the link is closed: new receive/send calls fail at once instead of waiting forever. */
  private volatile @Nullable RuntimeException detached;

  private QueueHandle(int index, String name, int size, @Nullable ReceiveRing rx, @Nullable SendRing tx,
      LinkPoller poller) {
    this.index = index;
    this.name = name;
    this.size = size;
    this.rx = rx;
    this.tx = tx;
    this.receive = rx != null ? new QueueFluxReceive(rx, poller) : null;
    this.send = tx != null ? new QueueMonoSend(tx, poller) : null;
  }

  public static QueueHandle inbound(int index, int size, ReceiveRing rx, LinkPoller poller) {
    return new QueueHandle(index, rx.name(), size, rx, null, poller);
  }

  public static QueueHandle outbound(int index, int size, SendRing tx, LinkPoller poller) {
    return new QueueHandle(index, tx.name(), size, null, tx, poller);
  }

  @Override
  public int index() {
    return index;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Direction direction() {
    return rx != null ? Direction.INBOUND : Direction.OUTBOUND;
  }

  @Override
  public int maxMessageSize() {
    SendRing t = tx;
    return t != null ? t.maxMessageSize() : 0;
  }

  @Override
  public Flux<BufferLease> receive() {
    RuntimeException gone = detached;
    if (gone != null) {
      return Flux.error(gone);
    }
    QueueFluxReceive r = receive;
    if (r == null) {
      return Flux.error(new QueueClosedException("virtqueue '" + name + "' is outbound from this side"));
    }
    return r;
  }

  @Override
  public <T> Mono<Void> send(Publisher<? extends T> items, BufferWriter<T> writer) {
    RuntimeException gone = detached;
    if (gone != null) {
      return Mono.error(gone);
    }
    QueueMonoSend s = send;
    if (s == null) {
      return Mono.error(new QueueClosedException("virtqueue '" + name + "' is inbound from this side"));
    }
    return s.send(items, writer);
  }

  @Override
  public int outstandingLeases() {
    ReceiveRing r = rx;
    return r != null ? r.outstandingLeases() : 0;
  }

  @Override
  public boolean isBroken() {
    return rx != null ? rx.error() != null : tx != null && tx.error() != null;
  }

  /** Poller thread: fails this queue's receive subscriber and sends with {@code error} (peer died). */
  public void linkDown(Throwable error) {
    QueueFluxReceive r = receive;
    if (r != null) {
      r.fail(error);
    }
    QueueMonoSend s = send;
    if (s != null) {
      s.failAll(error);
    }
  }

  /**
   * Poller thread, after {@link #linkDown}: resets the ring behind this queue (the driver side's
   * reset when its device died); {@code ringReset} resets the adapter.
   */
  public void reset(Runnable ringReset) {
    ringReset.run();
    QueueMonoSend s = send;
    if (s != null) {
      s.resetCredit();
    }
  }

  /** Poller thread: fails this queue's subscribers with link-down and leaves the poller. */
  public void detach() {
    markClosed();
    QueueFluxReceive r = receive;
    if (r != null) {
      r.detach();
    }
    QueueMonoSend s = send;
    if (s != null) {
      s.detach();
    }
  }

  /** From now on receive() and send() fail with link-down (the link closed). */
  public void markClosed() {
    if (detached == null) {
      detached = new io.reactorvirtio.virtio.LinkDownException("virtqueue '" + name + "': link closed");
    }
  }

  @Override
  public String toString() {
    return "Virtqueue[" + index + " '" + name + "', " + direction() + ", size " + size + "]";
  }
}
