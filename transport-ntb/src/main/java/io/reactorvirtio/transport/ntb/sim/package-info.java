/**
 * A simulated NTB in a {@code /dev/shm} file ({@link io.reactorvirtio.transport.ntb.sim.SimulatedNtb},
 * layout {@link io.reactorvirtio.transport.ntb.sim.NtbSimLayout}): HOST1 gets a {@link
 * io.reactorvirtio.virtio.spi.DriverTransport}, HOST2 a {@link
 * io.reactorvirtio.virtio.spi.DeviceTransport}, with what NTB hardware offers — link enable,
 * doorbell bits, scratchpads, one memory window at a bus address that is not a file offset.
 */
@NullMarked
package io.reactorvirtio.transport.ntb.sim;

import org.jspecify.annotations.NullMarked;
