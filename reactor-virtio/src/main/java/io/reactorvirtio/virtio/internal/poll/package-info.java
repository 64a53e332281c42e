/** Internal: the link poller thread and its idle strategy. */
@NullMarked
package io.reactorvirtio.virtio.internal.poll;

import org.jspecify.annotations.NullMarked;
