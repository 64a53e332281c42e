package io.reactorvirtio.rpmsg.internal.bus;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Address → endpoint, copy-on-write: lookups on the poller thread are a binary search over a
 * snapshot (no boxing, no allocation); changes (control plane) copy under a lock.
 */
final class EndpointTable {

  private record Snapshot(int[] keys, BusEndpoint[] values) {}

  private volatile Snapshot snap = new Snapshot(new int[0], new BusEndpoint[0]);

  @Nullable BusEndpoint get(int address) {
    Snapshot s = snap;
    int i = Arrays.binarySearch(s.keys, address);
    return i >= 0 ? s.values[i] : null;
  }

  synchronized void put(int address, BusEndpoint ep) {
    Snapshot s = snap;
    int i = Arrays.binarySearch(s.keys, address);
    if (i >= 0) {
      throw new IllegalStateException("address " + address + " already registered");
    }
    int at = -i - 1;
    int n = s.keys.length;
    int[] k = new int[n + 1];
    BusEndpoint[] v = new BusEndpoint[n + 1];
    System.arraycopy(s.keys, 0, k, 0, at);
    System.arraycopy(s.values, 0, v, 0, at);
    k[at] = address;
    v[at] = ep;
    System.arraycopy(s.keys, at, k, at + 1, n - at);
    System.arraycopy(s.values, at, v, at + 1, n - at);
    snap = new Snapshot(k, v);
  }

  synchronized boolean remove(int address, BusEndpoint ep) {
    Snapshot s = snap;
    int i = Arrays.binarySearch(s.keys, address);
    if (i < 0 || s.values[i] != ep) {
      return false;
    }
    int n = s.keys.length;
    int[] k = new int[n - 1];
    BusEndpoint[] v = new BusEndpoint[n - 1];
    System.arraycopy(s.keys, 0, k, 0, i);
    System.arraycopy(s.values, 0, v, 0, i);
    System.arraycopy(s.keys, i + 1, k, i, n - i - 1);
    System.arraycopy(s.values, i + 1, v, i, n - i - 1);
    snap = new Snapshot(k, v);
    return true;
  }

  BusEndpoint[] all() {
    return snap.values.clone();
  }
}
