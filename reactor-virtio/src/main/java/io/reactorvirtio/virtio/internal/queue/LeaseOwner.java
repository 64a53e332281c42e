package io.reactorvirtio.virtio.internal.queue;

import io.reactorvirtio.virtio.BufferLease;

/** Where a {@link BufferLease} returns its buffer. Called once per lease cycle, from any thread. */
public interface LeaseOwner {

  void release(BufferLease lease);
}
