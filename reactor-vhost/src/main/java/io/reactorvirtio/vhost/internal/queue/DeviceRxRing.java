package io.reactorvirtio.vhost.internal.queue;

import io.reactorvirtio.vhost.internal.vringh.Chain;
import io.reactorvirtio.vhost.internal.vringh.Vringh;
import io.reactorvirtio.virtio.BufferLease;
import io.reactorvirtio.virtio.RingViolation;
import io.reactorvirtio.virtio.VirtioException;
import io.reactorvirtio.virtio.internal.queue.LeaseOwner;
import io.reactorvirtio.virtio.internal.queue.PollerContext;
import io.reactorvirtio.virtio.internal.queue.ReceiveRing;
import io.reactorvirtio.virtio.internal.queue.SpinLock;
import io.reactorvirtio.virtio.spi.Doorbell;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Device side, inbound: takes the driver's device-readable chains (one buffer each) as leases, and
 * completes a chain when its lease is released. Chains are taken only while the subscriber has
 * demand, so unconsumed messages stay in the driver's ring and stall its sender.
 */
public final class DeviceRxRing implements ReceiveRing, LeaseOwner {

  private Vringh ring;
  private Chain chain;
  private final Doorbell doorbell;
  private final PollerContext poller;
  private BufferLease[] leases;
  private final SpinLock lock = new SpinLock();
  private final AtomicInteger leased = new AtomicInteger();
  private boolean notifyPending;
  /** Poller thread only: inside a drain, completions are published once, in flush(). */
  private boolean batching;
  /** Detached from the ring until the next {@link #reattach}: touches no ring memory. */
  private boolean suspended;

  public DeviceRxRing(Vringh ring, Doorbell doorbell, PollerContext poller) {
    this.ring = ring;
    this.chain = ring.newChain();
    this.doorbell = doorbell;
    this.poller = poller;
    this.leases = freshLeases(ring.size());
  }

  /** A lease per slot; replacing the array orphans the leases handed out before (their release is ignored). */
  private BufferLease[] freshLeases(int n) {
    BufferLease[] fresh = new BufferLease[n];
    for (int i = 0; i < n; i++) {
      fresh[i] = new BufferLease(this, i);
    }
    return fresh;
  }

  @Override
  public String name() {
    return ring.name();
  }

  @Override
  public boolean replenish(long demand) {
    return false; // the driver posts; demand gates take()
  }

  @Override
  public @Nullable BufferLease take() {
    int head;
    long off;
    int len;
    lock.lock();
    try {
      if (suspended || ring.getAvail(chain) != Vringh.GOT_CHAIN) {
        return null;
      }
      head = chain.head();
      if (chain.readableCount() != 1 || chain.writableCount() != 0) {
        ring.latch().latch(RingViolation.WRONG_DIRECTION, "chain " + head + " readable/writable buffers",
            chain.readableCount() * 1000L + chain.writableCount());
        return null;
      }
      off = chain.readableOffset(0);
      len = chain.readableLength(0);
    } finally {
      lock.unlock();
    }
    leased.incrementAndGet();
    return leases[head].acquire(chain.window(), off, len);
  }

  @Override
  public void release(BufferLease lease) {
    boolean kick = false;
    lock.lock();
    try {
      if (leases[lease.slot()] != lease) {
        return; // a lease from before the driver reset the rings: that chain no longer exists
      }
      leased.decrementAndGet();
      ring.addUsed(lease.slot(), 0);
      if (batching && poller.inPollerThread()) {
        notifyPending = true; // published and decided once per drain batch, in flush()
      } else {
        ring.publishUsed();
        kick = ring.needNotify();
      }
    } finally {
      lock.unlock();
    }
    if (kick) {
      doorbell.ring();
    }
  }

  @Override
  public void beginBatch() {
    batching = true;
  }

  @Override
  public void flush() {
    boolean kick;
    lock.lock();
    try {
      batching = false;
      if (!notifyPending || suspended) {
        return;
      }
      notifyPending = false;
      // virtio_wmb in publishUsed: the batch's used elements before the new used.idx.
      ring.publishUsed();
      kick = ring.needNotify();
    } finally {
      lock.unlock();
    }
    if (kick) {
      doorbell.ring();
    }
  }

  /**
   * The driver is resetting the rings (or the link is down): stop touching them until
   * {@link #reattach}. Leases still held are orphaned (their release is ignored).
   */
  public void suspend() {
    lock.lock();
    try {
      suspended = true;
      leases = freshLeases(leases.length);
      leased.set(0);
      notifyPending = false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The driver reset the rings (new generation): attach to them afresh. Leases still held are
   * orphaned (their release is ignored); nothing is completed on the new rings for them.
   */
  public void reattach(Vringh fresh) {
    lock.lock();
    try {
      ring = fresh;
      chain = fresh.newChain();
      leases = freshLeases(fresh.size());
      leased.set(0);
      notifyPending = false;
      batching = false;
      suspended = false;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean enableNotifications() {
    lock.lock();
    try {
      return !suspended && ring.enableNotify();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void disableNotifications() {
    lock.lock();
    try {
      if (!suspended) {
        ring.disableNotify();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public @Nullable VirtioException error() {
    return ring.isBroken() ? ring.violation() : null;
  }

  @Override
  public int outstandingLeases() {
    return leased.get();
  }

  @Override
  public String toString() {
    return ring.name();
  }
}
