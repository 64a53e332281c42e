/** Notification building blocks transports reuse: futex doorbells on a shared word, eventfd sources. */
@NullMarked
package io.reactorvirtio.virtio.notify;

import org.jspecify.annotations.NullMarked;
