package io.reactorvirtio.transport.epf.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.reactorvirtio.transport.epf.internal.nativeio.LinuxCalls;
import io.reactorvirtio.virtio.internal.nativeio.EventFd;
import io.reactorvirtio.virtio.internal.nativeio.NativeException;
import io.reactorvirtio.virtio.spi.InterruptSource;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An {@link InterruptSource} over a UIO device file ({@code /dev/uioX}).
 *
 * <p>Real UIO semantics (FACTS §5.2): a {@code read} must ask for exactly 4 bytes (any other size
 * fails with {@code EINVAL}) and returns the device's total interrupt count, a signed 32-bit
 * native-order number; the file is pollable. This source opens the device non-blocking and
 * close-on-exec, and in {@link #await} polls it together with an eventfd (UIO cannot be written to
 * for a local wake-up, so {@link #wakeLocal()} signals the eventfd instead). When the device is
 * readable it reads 4 bytes, remembers the count and re-enables the interrupt ({@link
 * UioIrqReenable}).
 *
 * <p>Event-count protocol: {@link #arm()} returns the last count read; {@link #await} returns at
 * once if the count has moved since (an interrupt arrived), else parks in {@code poll}. Counts
 * are compared for equality only, so wrap-around is harmless.
 *
 * <p>Errors: end of file, {@code EIO}/{@code ENODEV} (device unbound or removed) throw {@link
 * DeviceGoneException}; a read of any size but 4 throws {@link LinuxDeviceException}. {@link
 * #close()} does not wake a thread parked in {@link #await}: stop the poller first (it is woken by
 * {@link #wakeLocal()}). Not tried on real hardware here (only with FIFOs standing in for the
 * device).
 */
public final class UioInterruptSource implements InterruptSource {

  private static final long NANOS_PER_MILLI = 1_000_000L;

  private final Path device;
  private final UioIrqReenable reenable;
  private final int fd;
  private final EventFd wake;
  private final AtomicBoolean closed = new AtomicBoolean();

  // Poller-thread state and preallocated native buffers (no allocation per interrupt).
  private final MemorySegment pollFds;
  private final MemorySegment countBuffer;
  private final MemorySegment enableBuffer;
  private final MemorySegment capture;
  private volatile int lastCount;
  private volatile long interrupts;

  private UioInterruptSource(Path device, UioIrqReenable reenable, int fd, EventFd wake, Arena arena) {
    this.device = device;
    this.reenable = reenable;
    this.fd = fd;
    this.wake = wake;
    this.pollFds = arena.allocate(2 * LinuxCalls.POLLFD_SIZE, 4);
    this.countBuffer = arena.allocate(JAVA_INT);
    this.enableBuffer = arena.allocate(JAVA_INT);
    this.capture = LinuxCalls.newCaptureSegment(arena);
    pollFds.set(JAVA_INT, 0, fd);
    pollFds.set(JAVA_SHORT, LinuxCalls.POLLFD_EVENTS, LinuxCalls.POLLIN);
    pollFds.set(JAVA_INT, LinuxCalls.POLLFD_SIZE, wake.fd());
    pollFds.set(JAVA_SHORT, LinuxCalls.POLLFD_SIZE + LinuxCalls.POLLFD_EVENTS, LinuxCalls.POLLIN);
    enableBuffer.set(JAVA_INT, 0, 1);
  }

  /**
   * Opens {@code device} non-blocking: read-only, or read-write for {@link
   * UioIrqReenable#writeOne()}.
   *
   * @throws LinuxDeviceException if the device cannot be opened
   */
  public static UioInterruptSource open(Path device, UioIrqReenable reenable) {
    Arena arena = Arena.ofAuto(); // lives as long as the source: a parked poll never outlives it
    MemorySegment cap = LinuxCalls.newCaptureSegment(arena);
    boolean write = reenable instanceof UioIrqReenable.WriteOne;
    int flags = (write ? LinuxCalls.O_RDWR : LinuxCalls.O_RDONLY)
        | LinuxCalls.O_NONBLOCK | LinuxCalls.O_CLOEXEC;
    int fd = LinuxCalls.open(cap, arena.allocateFrom(device.toString()), flags, 0);
    if (fd < 0) {
      int errno = LinuxCalls.errno(cap);
      throw new LinuxDeviceException(device, "cannot open UIO device " + device
          + (write ? " read-write" : " read-only") + ": errno " + errno + " ("
          + NativeException.errnoName(errno) + "; needs root or a udev rule)");
    }
    EventFd wake;
    try {
      wake = EventFd.create(0, EventFd.NONBLOCK | EventFd.CLOEXEC);
    } catch (RuntimeException e) {
      LinuxCalls.close(cap, fd);
      throw e;
    }
    return new UioInterruptSource(device, reenable, fd, wake, arena);
  }

  /** The device file. */
  public Path device() {
    return device;
  }

  /** The re-enable strategy. */
  public UioIrqReenable reenableStrategy() {
    return reenable;
  }

  /** The last interrupt count read from the device (0 before the first). */
  public int lastCount() {
    return lastCount;
  }

  /** How many reads returned a count (interrupt batches seen). */
  public long interruptsSeen() {
    return interrupts;
  }

  /** The last count read: a different count at {@link #await} time means an interrupt arrived. */
  @Override
  public int arm() {
    return lastCount;
  }

  /**
   * Polls the device and the wake eventfd; on device readiness reads one 4-byte count and
   * re-enables the interrupt; on a local wake drains the eventfd.
   *
   * @param timeoutNanos rounded up to whole milliseconds; negative waits without bound
   * @throws DeviceGoneException on end of file, {@code POLLHUP} without data, {@code EIO} or
   *     {@code ENODEV}
   * @throws LinuxDeviceException if a read returns other than 4 bytes or a call fails
   */
  @Override
  public void await(int token, long timeoutNanos) {
    if (closed.get() || lastCount != token) {
      return;
    }
    int millis = timeoutNanos < 0 ? -1
        : (int) Math.min(Integer.MAX_VALUE,
            timeoutNanos / NANOS_PER_MILLI + (timeoutNanos % NANOS_PER_MILLI == 0 ? 0 : 1));
    pollFds.set(JAVA_SHORT, LinuxCalls.POLLFD_REVENTS, (short) 0);
    pollFds.set(JAVA_SHORT, LinuxCalls.POLLFD_SIZE + LinuxCalls.POLLFD_REVENTS, (short) 0);
    int n = LinuxCalls.poll(capture, pollFds, 2, millis);
    if (n < 0) {
      int errno = LinuxCalls.errno(capture);
      if (errno == LinuxCalls.EINTR) {
        return;
      }
      throw new LinuxDeviceException(device, "poll on UIO device " + device + " failed: errno "
          + errno + " (" + NativeException.errnoName(errno) + ")");
    }
    if (n == 0 || closed.get()) {
      return;
    }
    short devEvents = pollFds.get(JAVA_SHORT, LinuxCalls.POLLFD_REVENTS);
    short wakeEvents = pollFds.get(JAVA_SHORT, LinuxCalls.POLLFD_SIZE + LinuxCalls.POLLFD_REVENTS);
    if ((wakeEvents & LinuxCalls.POLLIN) != 0) {
      wake.read(); // non-blocking: drains the counter
    }
    if ((devEvents & LinuxCalls.POLLNVAL) != 0) {
      throw new LinuxDeviceException(device, "UIO device " + device + " descriptor " + fd
          + " is not open (closed while polling?)");
    }
    if ((devEvents & (LinuxCalls.POLLIN | LinuxCalls.POLLHUP | LinuxCalls.POLLERR)) != 0) {
      readCount();
    }
  }

  private void readCount() {
    long r = LinuxCalls.read(capture, fd, countBuffer, Integer.BYTES); // always exactly 4
    if (r == Integer.BYTES) {
      lastCount = countBuffer.get(JAVA_INT, 0); // native order, as the kernel writes it
      interrupts++;
      reenable();
      return;
    }
    if (r == 0) {
      throw new DeviceGoneException(device, "UIO device " + device
          + " reached end of file: the device (or the process feeding it) is gone", null);
    }
    if (r > 0) {
      throw new LinuxDeviceException(device, "read of UIO device " + device + " returned " + r
          + " bytes; UIO reads are exactly 4 bytes (a signed 32-bit interrupt count)");
    }
    int errno = LinuxCalls.errno(capture);
    if (errno == LinuxCalls.EAGAIN || errno == LinuxCalls.EINTR) {
      return; // spurious readiness
    }
    String msg = "read of UIO device " + device + " failed: errno " + errno + " ("
        + NativeException.errnoName(errno) + ")";
    if (errno == LinuxCalls.EIO || errno == LinuxCalls.ENODEV) {
      throw new DeviceGoneException(device, msg + ": the device was unbound or removed", null);
    }
    throw new LinuxDeviceException(device, msg);
  }

  /**
   * Re-enables the interrupt with the configured strategy. Called after every count read; call it
   * once after opening if the interrupt may have been left disabled by an earlier user.
   *
   * @throws LinuxDeviceException if the write fails ({@code ENOSYS}: the driver has no
   *     irqcontrol — use {@link UioIrqReenable#pciIntx} for uio_pci_generic)
   */
  public void reenable() {
    switch (reenable) {
      case UioIrqReenable.None none -> { }
      case UioIrqReenable.WriteOne one -> {
        long w = LinuxCalls.write(capture, fd, enableBuffer, Integer.BYTES);
        if (w != Integer.BYTES) {
          int errno = w < 0 ? LinuxCalls.errno(capture) : 0;
          throw new LinuxDeviceException(device, "re-enabling the interrupt of " + device
              + " (write of a 32-bit 1) failed: errno " + errno + " ("
              + NativeException.errnoName(errno) + ")" + (errno == 38
                  ? ": the driver has no irqcontrol; uio_pci_generic needs UioIrqReenable.pciIntx"
                  : ""));
        }
      }
      case UioIrqReenable.PciIntx intx -> clearIntxDisable(intx.configFile());
    }
  }

  /** Clears Command bit 10 (config byte 5, mask 0x04) with a positional read-modify-write. */
  private void clearIntxDisable(Path config) {
    try (FileChannel ch = FileChannel.open(config, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      if (ch.read(b, 5) != 1) {
        throw new LinuxDeviceException(config, "config space " + config + " is shorter than 6 bytes");
      }
      byte v = b.get(0);
      if ((v & 0x04) != 0) {
        b.put(0, (byte) (v & ~0x04));
        b.rewind();
        ch.write(b, 5);
      }
    } catch (IOException e) {
      throw new LinuxDeviceException(config, "re-enabling INTx of " + device + " (clearing"
          + " INTx-disable in " + config + ") failed: " + e, e);
    }
  }

  /** Nothing to withdraw. */
  @Override
  public void disarm() {}

  /** Signals the eventfd polled alongside the device. */
  @Override
  public void wakeLocal() {
    if (!closed.get()) {
      wake.signal(1);
    }
  }

  /** Closes the device and the eventfd; idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try (Arena temp = Arena.ofConfined()) {
        LinuxCalls.close(LinuxCalls.newCaptureSegment(temp), fd);
      }
      wake.close();
    }
  }

  @Override
  public String toString() {
    return "UioInterruptSource[" + device + ", fd " + fd + ", " + reenable + "]";
  }
}
