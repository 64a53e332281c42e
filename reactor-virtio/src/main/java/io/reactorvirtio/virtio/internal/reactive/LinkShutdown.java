package io.reactorvirtio.virtio.internal.reactive;

import io.reactorvirtio.virtio.internal.poll.LinkPoller;
import io.reactorvirtio.virtio.internal.poll.PollerTask;
import io.reactorvirtio.virtio.spi.InterruptSource;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How a link of either role leaves its poller when it closes, and reports leaked leases. */
public final class LinkShutdown {

  private static final Logger log = LoggerFactory.getLogger(LinkShutdown.class);

  private LinkShutdown() {}

  /**
   * Stops the link's polling: a dedicated poller thread is stopped (its tasks fail their
   * subscribers with link-down); on a shared poller, the link's tasks and interrupt source leave it
   * and its queues fail their subscribers, while the other links go on. Then closes the source.
   */
  public static void stopPolling(LinkPoller poller, boolean shared, @Nullable PollerTask liveness,
      List<QueueHandle> queues, InterruptSource interrupts) {
    if (shared) {
      poller.executeAndWait(() -> {
        if (liveness != null) {
          poller.unregister(liveness);
        }
        queues.forEach(QueueHandle::detach);
        poller.removeSource(interrupts);
      });
    } else {
      queues.forEach(QueueHandle::markClosed);
      poller.close();
    }
    interrupts.close();
  }

  /** Logs receive leases never released: their buffers are lost to the ring. */
  public static void warnLeakedLeases(Object link, List<QueueHandle> queues) {
    for (QueueHandle q : queues) {
      int leaked = q.outstandingLeases();
      if (leaked > 0) {
        log.warn("{}: {} receive lease(s) of queue {} were never released; their buffers are lost to the ring",
            link, leaked, q.name());
      }
    }
  }
}
