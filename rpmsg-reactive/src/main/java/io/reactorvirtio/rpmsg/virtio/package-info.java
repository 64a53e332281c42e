/** Binding rpmsg to virtqueues, in either role: {@link io.reactorvirtio.rpmsg.virtio.RpmsgVirtio}. */
@NullMarked
package io.reactorvirtio.rpmsg.virtio;

import org.jspecify.annotations.NullMarked;
