/**
 * Service-provider interfaces a transport implements: {@link io.reactorvirtio.virtio.spi.DriverTransport}
 * and {@link io.reactorvirtio.virtio.spi.DeviceTransport} (one per virtio role), and their parts:
 * {@link io.reactorvirtio.virtio.spi.RegisterFile}, {@link io.reactorvirtio.virtio.spi.Doorbell},
 * {@link io.reactorvirtio.virtio.spi.InterruptSource}. No Reactor types.
 */
@NullMarked
package io.reactorvirtio.virtio.spi;

import org.jspecify.annotations.NullMarked;
