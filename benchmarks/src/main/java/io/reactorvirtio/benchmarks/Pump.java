package io.reactorvirtio.benchmarks;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Operators;

/**
 * A long-lived, allocation-free push source for one {@code Virtqueue.send}: items offered are
 * delivered as soon as the send has demand (synchronously when it has), else held in a fixed ring.
 * Lets an echo or a ping-pong run through one {@code send} subscription without allocating a
 * {@code Mono} per message. Single subscriber; offer may be called from any thread.
 */
public final class Pump<T> implements Publisher<T>, Subscription {

  private final Object[] ring;
  private final int mask;
  private long head;
  private long tail;
  private final AtomicLong requested = new AtomicLong();
  private final AtomicInteger wip = new AtomicInteger();
  private volatile boolean completed;
  private volatile boolean cancelled;
  private volatile Subscriber<? super T> actual;

  public Pump(int capacity) {
    int n = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
    this.ring = new Object[n];
    this.mask = n - 1;
  }

  @Override
  public void subscribe(Subscriber<? super T> s) {
    if (actual != null) {
      Operators.error(s, new IllegalStateException("Pump allows one subscriber"));
      return;
    }
    actual = s;
    s.onSubscribe(this);
    drain();
  }

  /** Queues {@code item}; returns false when the ring is full (the caller must treat it as failure). */
  public boolean offer(T item) {
    synchronized (ring) {
      if (tail - head == ring.length) {
        return false;
      }
      ring[(int) (tail & mask)] = item;
      tail++;
    }
    drain();
    return true;
  }

  /** Completes the subscriber once everything queued was delivered. */
  public void complete() {
    completed = true;
    drain();
  }

  /** Items queued and not yet delivered. */
  public int pending() {
    synchronized (ring) {
      return (int) (tail - head);
    }
  }

  @Override
  public void request(long n) {
    if (Operators.validate(n)) {
      long r;
      long u;
      do {
        r = requested.get();
        if (r == Long.MAX_VALUE) {
          break;
        }
        u = r + n < 0 ? Long.MAX_VALUE : r + n;
      } while (!requested.compareAndSet(r, u));
      drain();
    }
  }

  @Override
  public void cancel() {
    cancelled = true;
  }

  @SuppressWarnings("unchecked")
  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      Subscriber<? super T> a = actual;
      if (a != null && !cancelled) {
        long r = requested.get();
        long e = 0;
        while (e != r && !cancelled) {
          Object item;
          synchronized (ring) {
            if (head == tail) {
              break;
            }
            int i = (int) (head & mask);
            item = ring[i];
            ring[i] = null;
            head++;
          }
          a.onNext((T) item);
          e++;
        }
        if (e != 0 && r != Long.MAX_VALUE) {
          requested.addAndGet(-e);
        }
        boolean empty;
        synchronized (ring) {
          empty = head == tail;
        }
        if (completed && empty && !cancelled) {
          cancelled = true;
          a.onComplete();
        }
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }
}
