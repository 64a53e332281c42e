package io.reactorvirtio.virtio.internal.reactive;

import io.reactorvirtio.virtio.BufferWriter;
import io.reactorvirtio.virtio.LinkDownException;
import io.reactorvirtio.virtio.MessageTooLargeException;
import io.reactorvirtio.virtio.VirtioException;
import io.reactorvirtio.virtio.internal.poll.LinkPoller;
import io.reactorvirtio.virtio.internal.poll.PollerTask;
import io.reactorvirtio.virtio.internal.queue.SendRing;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * The outbound side of a virtqueue: {@code send(Publisher)} requests from upstream no more items
 * than there are free buffers (reactor-netty's {@code MonoSendMany} shape) and makes one
 * notification decision per batch — a batch being what upstream emitted inside one of our
 * {@code request} calls, or a single item from an asynchronous producer.
 *
 * <p>Several sends may run at once on one queue: each reserves credit before requesting, so a
 * requested item always finds a free buffer. A send that finds no credit parks itself on the
 * queue's starved list; the poller re-enables the peer's used-buffer notifications and resumes it
 * when buffers come back.
 *
 * <p>A send reserves larger batches only while its upstream keeps up: after a request whose items
 * all arrived within the {@code request} call (a synchronous or busy producer) it asks for twice as
 * many, up to {@link #PREFETCH}; otherwise (an idle or asynchronous producer, such as a reply
 * stream waiting for requests) for one item at a time. And no send reserves more than a fair share
 * of the queue (its credit over the sends under way). So sends that go idle hold little, and
 * cannot starve the other sends of the queue.
 */
public final class QueueMonoSend implements PollerTask {

  /** Most items requested from one upstream at once. */
  static final int PREFETCH = 128;

  private final SendRing ring;
  private final LinkPoller poller;
  private final AtomicInteger reserved = new AtomicInteger();
  /**
   * Senders waiting for credit: an intrusive Treiber stack (each sender links itself through its
   * own {@code nextStarved} field, so parking allocates nothing; the poller takes the whole stack
   * at once, which is ABA-free). A sender is on it at most once ({@code parked}).
   */
  private final AtomicReference<@Nullable SendSubscriber<?>> starved = new AtomicReference<>();
  /** Sends under way, so that a dead peer can fail them. */
  private final java.util.Set<SendSubscriber<?>> active = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public QueueMonoSend(SendRing ring, LinkPoller poller) {
    this.ring = ring;
    this.poller = poller;
    poller.register(this);
  }

  public <T> Mono<Void> send(Publisher<? extends T> items, BufferWriter<T> writer) {
    return new Mono<>() {
      @Override
      public void subscribe(CoreSubscriber<? super Void> actual) {
        items.subscribe(new SendSubscriber<T>(QueueMonoSend.this, actual, writer));
      }
    };
  }

  void push(SendSubscriber<?> s) {
    SendSubscriber<?> head;
    do {
      head = starved.get();
      s.nextStarved = head;
    } while (!starved.compareAndSet(head, s));
  }

  /** Takes every parked sender, oldest first. */
  private @Nullable SendSubscriber<?> takeAll() {
    SendSubscriber<?> s = starved.getAndSet(null);
    SendSubscriber<?> reversed = null;
    while (s != null) {
      SendSubscriber<?> next = s.nextStarved;
      s.nextStarved = reversed;
      reversed = s;
      s = next;
    }
    return reversed;
  }

  boolean anyStarved() {
    return starved.get() != null;
  }

  @Override
  public int doWork() {
    if (!anyStarved()) {
      return 0;
    }
    VirtioException err = ring.error();
    if (err == null && ring.credit() - reserved.get() <= 0) {
      return 0;
    }
    // Resume only those parked now: a sender that finds no credit again parks anew, for the
    // next round (otherwise this loop would spin on it).
    return resumeStarved();
  }

  /** Takes every parked sender and lets each look again (drain); returns how many. */
  private int resumeStarved() {
    int n = 0;
    SendSubscriber<?> s = takeAll();
    while (s != null) {
      SendSubscriber<?> next = s.nextStarved;
      s.nextStarved = null;
      s.parked.set(false);
      s.drain();
      n++;
      s = next;
    }
    return n;
  }

  @Override
  public boolean armNotifications() {
    if (!anyStarved()) {
      return false;
    }
    // Credit may already be there (a reservation given back); otherwise ask the peer to tell us,
    // and count it as work only if the credit really grew: buffers the peer made available that
    // other senders hold reserved are no work for the starved ones (reporting them would spin).
    if (ring.credit() - reserved.get() > 0 || ring.error() != null) {
      return true;
    }
    return ring.enableNotifications() && ring.credit() - reserved.get() > 0;
  }

  @Override
  public void disarmNotifications() {
    ring.disableNotifications();
  }

  /** Fails every send under way with {@code error} (the peer died); new sends may start later. */
  public void failAll(Throwable error) {
    for (SendSubscriber<?> s : active) {
      s.cancelUpstream();
      s.fail(error);
    }
    // Senders that parked after the loop above passed them (subscribed meanwhile) must not be
    // dropped from the stack: give each a look (failed ones return at once, live ones re-park).
    resumeStarved();
  }

  /** After {@link #failAll} and a ring reset: no credit is reserved any more. */
  public void resetCredit() {
    reserved.set(0);
  }

  /** Poller thread: fails waiting senders and leaves the poller (link closing). */
  public void detach() {
    poller.unregister(this);
    onClose();
  }

  @Override
  public void onClose() {
    SendSubscriber<?> s = takeAll();
    while (s != null) {
      SendSubscriber<?> next = s.nextStarved;
      s.nextStarved = null;
      s.fail(new LinkDownException("virtqueue '" + ring.name() + "': link closed"));
      s = next;
    }
  }

  static final class SendSubscriber<T> implements CoreSubscriber<T>, Subscription {

    private final QueueMonoSend parent;
    private final SendRing ring;
    private final CoreSubscriber<? super Void> actual;
    private final BufferWriter<T> writer;
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean parked = new java.util.concurrent.atomic.AtomicBoolean();
    /** The next sender on the starved stack (written before the CAS that publishes this one). */
    @Nullable SendSubscriber<?> nextStarved;
    private @Nullable Subscription upstream;
    private volatile @Nullable Thread requestingThread;
    /** Set once by whichever terminal path wins (complete, error, cancel, fail): one terminal signal. */
    private final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    /** Items that arrived inside our last {@code request} call, and whether all did (keeps the batch large). */
    private int deliveredInRequest;
    private boolean keepingUp;
    private int lastRequest;

    SendSubscriber(QueueMonoSend parent, CoreSubscriber<? super Void> actual, BufferWriter<T> writer) {
      this.parent = parent;
      this.ring = parent.ring;
      this.actual = actual;
      this.writer = writer;
    }

    /** The subscriber's context flows upstream (e.g. a {@code doOnDiscard} hook for items never written). */
    @Override
    public reactor.util.context.Context currentContext() {
      return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
      if (Operators.validate(upstream, s)) {
        upstream = s;
        parent.active.add(this);
        actual.onSubscribe(this);
        drain();
      }
    }

    /** Reserves credit and requests it from upstream; parks on the starved list when there is none. */
    void drain() {
      if (wip.getAndIncrement() != 0) {
        return;
      }
      do {
        if (done.get()) {
          break;
        }
        VirtioException err = ring.error();
        if (err != null) {
          fail(err);
          break;
        }
        if (outstanding.get() > 0) {
          continue; // items requested and not yet arrived; onNext calls drain again at zero
        }
        int credit = ring.credit() - parent.reserved.get();
        if (credit <= 0) {
          park();
          continue;
        }
        // Batch size: doubles while upstream keeps up (1, 2, 4 ... PREFETCH), back to 1 when it
        // does not; never more than a fair share of the queue among the sends under way, so that
        // sends that go idle holding reservations cannot starve the others.
        int share = Math.max(1, (ring.credit() + parent.reserved.get()) / Math.max(1, parent.active.size()));
        int want = keepingUp ? Math.min(PREFETCH, Math.max(2, lastRequest * 2)) : 1;
        int k = Math.min(credit, Math.min(share, want));
        if (parent.reserved.addAndGet(k) > ring.credit()) {
          parent.reserved.addAndGet(-k); // lost a race with another sender
          park();
          continue;
        }
        outstanding.addAndGet(k);
        lastRequest = k;
        deliveredInRequest = 0;
        requestingThread = Thread.currentThread();
        try {
          Subscription s = upstream;
          if (s != null) {
            s.request(k);
          }
        } finally {
          requestingThread = null;
        }
        keepingUp = deliveredInRequest == k;
        ring.flush();
      } while (wip.decrementAndGet() != 0);
    }

    /** Waits on the queue's starved list (once) until the poller sees credit. */
    private void park() {
      if (parked.compareAndSet(false, true)) {
        parent.push(this);
        parent.poller.wake();
      }
    }

    @Override
    public void onNext(T item) {
      // Claim this item's reservation first: a concurrent cancel or failure hands back every unit
      // still outstanding, and a unit must be handed back exactly once.
      int left = done.get() ? -1 : claimOne();
      if (left < 0) {
        Operators.onDiscard(item, actual.currentContext()); // e.g. releases a lease the item holds
        return;
      }
      int n;
      try {
        n = ring.write(item, writer);
      } catch (RuntimeException e) {
        parent.reserved.decrementAndGet();
        cancelUpstream();
        fail(e);
        return;
      }
      parent.reserved.decrementAndGet();
      if (n < 0) {
        Operators.onDiscard(item, actual.currentContext()); // the writer never saw it
        VirtioException err = ring.error();
        cancelUpstream();
        fail(err != null ? err : new IllegalStateException(
            "virtqueue '" + ring.name() + "': no free buffer for a reserved item"));
        return;
      }
      if (requestingThread != Thread.currentThread()) {
        ring.flush();
      } else {
        deliveredInRequest++;
      }
      if (left == 0) {
        drain();
      }
    }

    /** Takes one unit of this sender's outstanding reservation; the units left, or -1 if none was. */
    private int claimOne() {
      for (;;) {
        int o = outstanding.get();
        if (o <= 0) {
          return -1;
        }
        if (outstanding.compareAndSet(o, o - 1)) {
          return o - 1;
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      if (done.get()) {
        Operators.onErrorDropped(t, actual.currentContext());
        return;
      }
      ring.flush();
      fail(t);
    }

    @Override
    public void onComplete() {
      if (!done.compareAndSet(false, true)) {
        return;
      }
      parent.active.remove(this);
      ring.flush();
      releaseReservation();
      actual.onComplete();
    }

    @Override
    public void request(long n) {
      // Mono<Void>: nothing to deliver but the terminal signal.
    }

    @Override
    public void cancel() {
      if (done.compareAndSet(false, true)) {
        parent.active.remove(this);
        cancelUpstream();
        releaseReservation();
        ring.flush();
      }
    }

    void fail(Throwable t) {
      if (!done.compareAndSet(false, true)) {
        return;
      }
      parent.active.remove(this);
      releaseReservation();
      actual.onError(t);
    }

    void cancelUpstream() {
      Subscription s = upstream;
      if (s != null) {
        s.cancel();
      }
    }

    private void releaseReservation() {
      int left = outstanding.getAndSet(0);
      if (left > 0) {
        parent.reserved.addAndGet(-left);
        if (parent.anyStarved()) {
          parent.poller.wake(); // the credit this sender held may let a parked one go on
        }
      }
    }
  }
}
