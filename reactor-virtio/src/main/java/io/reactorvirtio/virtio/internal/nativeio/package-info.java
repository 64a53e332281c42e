/** Internal: FFM downcalls to libc (futex, eventfd, poll, mmap). Not API. */
@NullMarked
package io.reactorvirtio.virtio.internal.nativeio;

import org.jspecify.annotations.NullMarked;
