/** Public API: virtqueues as Reactive Streams, buffer leases, typed errors. */
@NullMarked
package io.reactorvirtio.virtio;

import org.jspecify.annotations.NullMarked;
