package io.reactorvirtio.vhost;

/**
 * A vhost driver: serves virtio devices of some ids on the device side (the RFC's vhost driver
 * model, Linux {@code virtio_driver}'s id table). A {@link VhostDriverRegistry} probes it when a
 * device with one of its ids comes up on a link, and removes it when the device goes away.
 *
 * <pre>{@code
 * registry.register(VhostDriver.of("echo", Set.of(7), device -> ..., device -> ...));
 * }</pre>
 */
public interface VhostDriver {

  /** Matches every device id (Linux {@code VIRTIO_DEV_ANY_ID}). */
  int ANY_ID = -1;

  String name();

  /** Whether this driver serves devices of {@code deviceId}. */
  boolean matches(int deviceId);

  /** The device came up: start serving it. Called on the link's poller thread: do not block. */
  void probe(VhostDevice device);

  /** The device went away (peer gone, link down or closed): stop serving it. Poller thread too. */
  void remove(VhostDevice device);

  /** A driver from its parts. */
  static VhostDriver of(String name, java.util.Set<Integer> ids, java.util.function.Consumer<VhostDevice> probe,
      java.util.function.Consumer<VhostDevice> remove) {
    java.util.Set<Integer> table = java.util.Set.copyOf(ids);
    return new VhostDriver() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public boolean matches(int deviceId) {
        return table.contains(ANY_ID) || table.contains(deviceId);
      }

      @Override
      public void probe(VhostDevice device) {
        probe.accept(device);
      }

      @Override
      public void remove(VhostDevice device) {
        remove.accept(device);
      }

      @Override
      public String toString() {
        return "VhostDriver[" + name + ", ids " + table + "]";
      }
    };
  }
}
