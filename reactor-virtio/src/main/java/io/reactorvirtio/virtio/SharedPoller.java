package io.reactorvirtio.virtio;

/**
 * One poller thread serving several links: it parks on all their doorbells at once
 * ({@code futex_waitv}) and runs all their queues. By default each link has a poller thread of its
 * own; share one when many links are mostly idle, to save threads.
 *
 * <pre>{@code
 * try (SharedPoller poller = Pollers.shared("links", IdlePolicy.parkOnly());
 *      VirtioShmLink a = VirtioShmLink.create(pathA, ShmLinkOptions.defaults(), poller);
 *      VirtioShmLink b = VirtioShmLink.create(pathB, ShmLinkOptions.defaults(), poller)) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Close the links before the poller. Every subscriber of every link runs on this one thread.
 * Not for implementation outside this library: links accept only the instances
 * {@code io.reactorvirtio.virtio.link.Pollers#shared} makes.
 */
public interface SharedPoller extends AutoCloseable {

  String name();

  /** Times the thread parked in the kernel. */
  long parks();

  /** Stops the thread; links still attached see their subscribers fail with {@link LinkDownException}. */
  @Override
  void close();
}
