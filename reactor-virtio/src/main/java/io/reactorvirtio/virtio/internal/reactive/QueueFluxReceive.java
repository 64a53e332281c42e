package io.reactorvirtio.virtio.internal.reactive;

import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.LinkDownException;
import io.reactorvirtio.virtio.VirtioException;
import io.reactorvirtio.virtio.internal.poll.LinkPoller;
import io.reactorvirtio.virtio.internal.poll.PollerTask;
import io.reactorvirtio.virtio.internal.queue.ReceiveRing;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * The inbound side of a virtqueue as a {@link Flux} whose subscription is driven by the link's
 * poller (reactor-netty's {@code FluxReceive} shape). Unicast: one subscriber at a time; another
 * may subscribe after the previous one cancelled or terminated.
 *
 * <p>Demand is ring credit: {@code request(n)} adds demand and wakes the poller; the poller posts
 * receive buffers only up to the outstanding demand (driver) or takes chains only while there is
 * demand (device), and emits on its own thread. Peer notifications are enabled only when there is
 * demand and the ring is empty.
 */
public final class QueueFluxReceive extends Flux<BufferLease> {

  private final ReceiveRing ring;
  private final LinkPoller poller;
  private final AtomicReference<@Nullable Receiver> current = new AtomicReference<>();

  public QueueFluxReceive(ReceiveRing ring, LinkPoller poller) {
    this.ring = ring;
    this.poller = poller;
  }

  @Override
  public void subscribe(CoreSubscriber<? super BufferLease> actual) {
    Receiver r = new Receiver(this, actual);
    if (!current.compareAndSet(null, r)) {
      Operators.error(actual, new IllegalStateException(
          "virtqueue '" + ring.name() + "' allows one receive() subscriber at a time"));
      return;
    }
    actual.onSubscribe(r);
    poller.register(r);
  }

  /** Poller thread: fails the current subscriber with link-down and forgets it (link closing). */
  public void detach() {
    Receiver r = current.get();
    if (r != null) {
      r.onClose();
    }
  }

  /** Poller thread: fails the current subscriber with {@code error} (peer died); later ones may come. */
  public void fail(Throwable error) {
    Receiver r = current.get();
    if (r != null) {
      r.failWith(error);
    }
  }

  static final class Receiver implements Subscription, PollerTask {

    private static final AtomicLongFieldUpdater<Receiver> REQUESTED =
        AtomicLongFieldUpdater.newUpdater(Receiver.class, "requested");

    private final QueueFluxReceive parent;
    private final ReceiveRing ring;
    private final CoreSubscriber<? super BufferLease> actual;
    private volatile long requested;
    private volatile boolean cancelled;
    /** Set by request/cancel before waking the poller; cleared when doWork has seen it. */
    private volatile boolean signalled;
    private boolean done;

    Receiver(QueueFluxReceive parent, CoreSubscriber<? super BufferLease> actual) {
      this.parent = parent;
      this.ring = parent.ring;
      this.actual = actual;
    }

    @Override
    public void request(long n) {
      if (Operators.validate(n)) {
        Operators.addCap(REQUESTED, this, n);
        signalled = true;
        parent.poller.wake();
      }
    }

    @Override
    public void cancel() {
      cancelled = true;
      signalled = true;
      // Free the slot now, so that a new subscriber may come at once; this receiver stops taking
      // from the ring at its next step on the poller thread (which is also where the new one runs).
      parent.current.compareAndSet(this, null);
      parent.poller.wake();
    }

    @Override
    public int doWork() {
      if (done) {
        return 0;
      }
      signalled = false;
      if (cancelled) {
        finish();
        return 1;
      }
      if (failIfBroken()) {
        return 1;
      }
      long r = requested;
      ring.replenish(r);
      ring.beginBatch();
      int emitted = 0;
      try {
        while (emitted < r && !cancelled) {
          BufferLease lease = ring.take();
          if (lease == null) {
            break;
          }
          emitted++;
          actual.onNext(lease);
        }
      } finally {
        if (emitted > 0 && r != Long.MAX_VALUE) {
          r = REQUESTED.addAndGet(this, -emitted);
          ring.replenish(r);
        }
        ring.flush(); // even if a subscriber threw: completions made so far must be published
      }
      if (failIfBroken()) {
        return 1;
      }
      return emitted;
    }

    private boolean failIfBroken() {
      VirtioException err = ring.error();
      if (err == null) {
        return false;
      }
      finish();
      actual.onError(err);
      return true;
    }

    @Override
    public boolean armNotifications() {
      if (done) {
        return false;
      }
      if (cancelled || signalled) {
        return true; // new demand (buffers to post) or a cancel that doWork has not seen yet
      }
      if (requested == 0) {
        return false; // request(n) wakes the poller; arrivals we would not take need no wake-up
      }
      return ring.enableNotifications();
    }

    @Override
    public void disarmNotifications() {
      if (!done) {
        ring.disableNotifications();
      }
    }

    void failWith(Throwable error) {
      if (!done) {
        finish();
        if (!cancelled) {
          actual.onError(error);
        }
      }
    }

    @Override
    public void onClose() {
      if (!done) {
        finish();
        if (cancelled) {
          return;
        }
        actual.onError(new LinkDownException("virtqueue '" + ring.name() + "': link closed"));
      }
    }

    private void finish() {
      done = true;
      parent.poller.unregister(this);
      parent.current.compareAndSet(this, null);
    }
  }
}
