/** Internal: the reactive edge that turns ring credit into Reactive Streams demand. */
@NullMarked
package io.reactorvirtio.virtio.internal.reactive;

import org.jspecify.annotations.NullMarked;
