package io.reactorvirtio.transport.openamp.internal;

import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.BufferWriter;
import io.reactorvirtio.virtio.LinkDownException;
import io.reactorvirtio.virtio.Virtqueue;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A link's queue that refuses new work once the link is down: subscribers that arrive after the
 * peer was lost get {@link LinkDownException} at once instead of waiting on a ring nobody serves
 * (those already subscribed are failed by the queue's own detach).
 */
public final class GuardedQueue implements Virtqueue {

  private final Virtqueue delegate;
  private final Supplier<@Nullable String> downReason;

  public GuardedQueue(Virtqueue delegate, Supplier<@Nullable String> downReason) {
    this.delegate = delegate;
    this.downReason = downReason;
  }

  @Override
  public int index() {
    return delegate.index();
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public int size() {
    return delegate.size();
  }

  @Override
  public Direction direction() {
    return delegate.direction();
  }

  @Override
  public int maxMessageSize() {
    return delegate.maxMessageSize();
  }

  @Override
  public Flux<BufferLease> receive() {
    return Flux.defer(() -> {
      String why = downReason.get();
      return why != null ? Flux.error(down(why)) : delegate.receive();
    });
  }

  @Override
  public <T> Mono<Void> send(Publisher<? extends T> items, BufferWriter<T> writer) {
    return Mono.defer(() -> {
      String why = downReason.get();
      return why != null ? Mono.error(down(why)) : delegate.send(items, writer);
    });
  }

  private LinkDownException down(String why) {
    return new LinkDownException("virtqueue '" + delegate.name() + "': link down: " + why);
  }

  @Override
  public int outstandingLeases() {
    return delegate.outstandingLeases();
  }

  @Override
  public boolean isBroken() {
    return delegate.isBroken();
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
