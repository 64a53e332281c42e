package io.reactorvirtio.vhost;

import io.reactorvirtio.virtio.LinkState;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds devices to vhost drivers by device id (Linux {@code virtio_dev_probe} / {@code
 * virtio_dev_remove}): a device added with {@link #add(VhostDevice)} is offered to the first
 * registered driver that matches its id each time its link is UP, and taken from it when the link
 * goes DOWN or FAILED (peer died, closed). A driver registered later is probed for the devices
 * already up that no driver serves.
 *
 * <pre>{@code
 * VhostDriverRegistry registry = new VhostDriverRegistry();
 * registry.register(rpmsgDriver);                 // serves id 7
 * Disposable binding = registry.add(vhostLink);   // probed when the link is UP
 * }</pre>
 */
public final class VhostDriverRegistry {

  private static final Logger log = LoggerFactory.getLogger(VhostDriverRegistry.class);

  private final CopyOnWriteArrayList<VhostDriver> drivers = new CopyOnWriteArrayList<>();
  private final ConcurrentHashMap<VhostDevice, Binding> devices = new ConcurrentHashMap<>();

  private final class Binding {
    final VhostDevice device;
    volatile boolean up;
    volatile @Nullable VhostDriver bound;

    Binding(VhostDevice device) {
      this.device = device;
    }

    synchronized void onState(LinkState state) {
      up = state == LinkState.UP;
      if (up && bound == null) {
        probe();
      } else if (!up && bound != null) {
        remove();
      }
    }

    synchronized void probe() {
      if (!up || bound != null) {
        return;
      }
      for (VhostDriver d : drivers) {
        if (d.matches(device.deviceId())) {
          bound = d;
          try {
            d.probe(device);
          } catch (RuntimeException e) {
            bound = null;
            log.warn("vhost driver {} failed to probe device {} (id {})", d.name(), device.name(),
                device.deviceId(), e);
            continue;
          }
          return;
        }
      }
    }

    synchronized void remove() {
      VhostDriver d = bound;
      bound = null;
      if (d != null) {
        try {
          d.remove(device);
        } catch (RuntimeException e) {
          log.warn("vhost driver {} failed to remove device {}", d.name(), device.name(), e);
        }
      }
    }
  }

  /** Adds a driver; devices that are up and unserved are offered to it. */
  public void register(VhostDriver driver) {
    drivers.add(driver);
    for (Binding b : devices.values()) {
      b.probe();
    }
  }

  /** Removes a driver; the devices it served are removed from it (and offered to others). */
  public void unregister(VhostDriver driver) {
    drivers.remove(driver);
    for (Binding b : devices.values()) {
      if (b.bound == driver) {
        b.remove();
        b.probe();
      }
    }
  }

  /**
   * Follows {@code device}: probes a matching driver whenever its link is UP, removes it when the
   * link is not. Disposing the result removes the device from its driver and forgets it.
   */
  public Disposable add(VhostDevice device) {
    Binding b = new Binding(device);
    if (devices.putIfAbsent(device, b) != null) {
      throw new IllegalStateException("device " + device.name() + " is already added");
    }
    Disposable states = device.states().subscribe(b::onState, e -> b.onState(LinkState.FAILED),
        () -> b.onState(LinkState.FAILED));
    return () -> {
      states.dispose();
      devices.remove(device);
      b.remove();
    };
  }

  /** The driver serving {@code device} now, if any. */
  public Optional<VhostDriver> driverOf(VhostDevice device) {
    Binding b = devices.get(device);
    return b == null ? Optional.empty() : Optional.ofNullable(b.bound);
  }

  public List<VhostDriver> drivers() {
    return List.copyOf(drivers);
  }
}
