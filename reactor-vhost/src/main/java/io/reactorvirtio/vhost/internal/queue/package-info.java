/** Internal: device-side queue adapters for the reactive edge. */
@NullMarked
package io.reactorvirtio.vhost.internal.queue;

import org.jspecify.annotations.NullMarked;
