/** Internal: the split-virtqueue core, driver side. Plain single-threaded Java, no Reactor types. */
@NullMarked
package io.reactorvirtio.virtio.internal.ring;

import org.jspecify.annotations.NullMarked;
