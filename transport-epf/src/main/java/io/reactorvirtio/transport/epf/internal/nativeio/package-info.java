/**
 * Internal: FFM downcalls the Linux backends need beyond reactor-virtio's own (open, read, write,
 * poll over several descriptors, ioctl). Not API.
 */
@NullMarked
package io.reactorvirtio.transport.epf.internal.nativeio;

import org.jspecify.annotations.NullMarked;
