/**
 * rpmsg over virtio as reactive streams, in either role: {@link io.reactorvirtio.rpmsg.RpmsgBus}
 * (one per virtio rpmsg device), {@link io.reactorvirtio.rpmsg.RpmsgEndpoint} (an address with a
 * {@code Flux} of received messages and a backpressured {@code send}), name-service channels as
 * {@link io.reactorvirtio.rpmsg.ChannelEvent}s. Wire-compatible with Linux {@code virtio_rpmsg_bus}
 * and OpenAMP.
 */
@NullMarked
package io.reactorvirtio.rpmsg;

import org.jspecify.annotations.NullMarked;
