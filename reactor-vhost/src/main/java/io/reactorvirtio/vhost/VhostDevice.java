package io.reactorvirtio.vhost;

import io.reactorvirtio.virtio.LinkState;
import io.reactorvirtio.virtio.Virtqueue;
import java.util.List;
import reactor.core.publisher.Flux;

/**
 * A virtio device as the device (vhost) side sees it on a link: its device id, its queues (from
 * this side) and the link's states. What a {@link VhostDriver} is probed with.
 */
public interface VhostDevice {

  /** The virtio device id (7 = rpmsg, 3 = console, 1 = net, 11 = rproc serial). */
  int deviceId();

  /** The device's queues, as seen from the device side. */
  List<? extends Virtqueue> queues();

  /** The link's states, the current one first. */
  Flux<LinkState> states();

  /** A short name for logs (the link's). */
  String name();
}
