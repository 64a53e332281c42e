package io.reactorvirtio.rpmsg.internal.bus;

import io.reactorvirtio.rpmsg.RpmsgAddress;
import io.reactorvirtio.rpmsg.RpmsgAddressInUseException;
import java.util.HashSet;
import java.util.Set;

/**
 * Local addresses: dynamic ones from 1024 upward (next-fit, wrapping before {@link RpmsgAddress#ANY}),
 * fixed ones exactly or not at all (Linux {@code idr_alloc}). Control plane: synchronized.
 */
final class AddressAllocator {

  private final Set<Integer> used = new HashSet<>();
  private long next = RpmsgAddress.FIRST_DYNAMIC;

  synchronized int allocate(int requested, String who) {
    if (requested != RpmsgAddress.ANY) {
      if (RpmsgAddress.isReserved(requested)) {
        throw new RpmsgAddressInUseException(who + ": address " + RpmsgAddress.toString(requested) + " is reserved");
      }
      if (!used.add(requested)) {
        throw new RpmsgAddressInUseException(who + ": address " + RpmsgAddress.toString(requested)
            + " is held by another endpoint");
      }
      return requested;
    }
    long span = 0xFFFFFFFFL - RpmsgAddress.FIRST_DYNAMIC;
    for (long i = 0; i < span && i <= used.size(); i++) {
      int a = (int) next;
      next = next + 1 >= 0xFFFFFFFFL ? RpmsgAddress.FIRST_DYNAMIC : next + 1;
      if (used.add(a)) {
        return a;
      }
    }
    throw new RpmsgAddressInUseException(who + ": no dynamic address left");
  }

  synchronized void free(int address) {
    used.remove(address);
  }
}
