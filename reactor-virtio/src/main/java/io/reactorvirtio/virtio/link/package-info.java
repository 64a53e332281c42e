/** A link that needs no hardware: rings, buffers and futex doorbells in one shared file (driver side). */
@NullMarked
package io.reactorvirtio.virtio.link;

import org.jspecify.annotations.NullMarked;
