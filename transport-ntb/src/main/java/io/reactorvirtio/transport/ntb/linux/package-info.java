/**
 * Linux NTB from user space through the {@code ntb_tool} debugfs interface ({@link
 * io.reactorvirtio.transport.ntb.linux.NtbToolPort}): link, doorbells, scratchpads and copy-only
 * memory-window access; a {@link io.reactorvirtio.virtio.spi.Doorbell} and a polling {@link
 * io.reactorvirtio.virtio.spi.InterruptSource} over the doorbell files; and the RFC's
 * {@code ntb_virtio} scratchpad handshake ({@link
 * io.reactorvirtio.transport.ntb.linux.NtbScratchpadLayout}, {@link
 * io.reactorvirtio.transport.ntb.linux.NtbScratchpads}) over an abstract {@link
 * io.reactorvirtio.transport.ntb.linux.ScratchpadAccess}; and {@link
 * io.reactorvirtio.transport.ntb.linux.LinuxNtb#host2 LinuxNtb.host2}, HOST2's {@link
 * io.reactorvirtio.virtio.spi.DeviceTransport} from those files plus a mapped sysfs {@code resourceN}
 * (there is no HOST1: ntb_tool cannot give user space DMA memory).
 *
 * <p>The debugfs root is a constructor parameter, so tests run against a fake tree. None of it has
 * been tried on real hardware (see the module README).
 */
@NullMarked
package io.reactorvirtio.transport.ntb.linux;

import org.jspecify.annotations.NullMarked;
