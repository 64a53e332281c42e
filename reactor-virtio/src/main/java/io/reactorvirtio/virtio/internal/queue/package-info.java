/** Internal: queue adapters between the ring cores and the reactive edge (leases, credit, locking). No Reactor types. */
@NullMarked
package io.reactorvirtio.virtio.internal.queue;

import org.jspecify.annotations.NullMarked;
