package io.reactorvirtio.rpmsg.internal.bus;

import io.reactorvirtio.rpmsg.RpmsgAddress;
import io.reactorvirtio.rpmsg.RpmsgMessage;
import io.reactorvirtio.rpmsg.internal.wire.RpmsgHeaderLayout;
import io.reactorvirtio.virtio.BufferLease;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * An {@link RpmsgMessage} over a ring lease, pooled one per inbound ring slot: set on the poller
 * thread when its lease is handed out, valid until released.
 */
final class PooledMessage implements RpmsgMessage {

  private BufferLease lease;
  private int src;
  private int dst;
  private int len;
  private MemorySegment view = MemorySegment.NULL;
  private MemorySegment viewBase = MemorySegment.NULL;
  private int viewLen = -1;

  PooledMessage(BufferLease lease) {
    this.lease = lease;
  }

  PooledMessage set(BufferLease l, int source, int destination, int length) {
    this.lease = l;
    this.src = source;
    this.dst = destination;
    this.len = length;
    return this;
  }

  @Override
  public int source() {
    return src;
  }

  @Override
  public int destination() {
    return dst;
  }

  @Override
  public int length() {
    return len;
  }

  @Override
  public MemorySegment data() {
    MemorySegment base = lease.data(); // cached per slot by the lease
    if (base != viewBase || len != viewLen) {
      view = base.asSlice(RpmsgHeaderLayout.SIZE, len);
      viewBase = base;
      viewLen = len;
    }
    return view;
  }

  @Override
  public void copyTo(MemorySegment dstSeg, long offset) {
    MemorySegment.copy(lease.data(), RpmsgHeaderLayout.SIZE, dstSeg, offset, len);
  }

  @Override
  public byte[] toByteArray() {
    byte[] b = new byte[len];
    MemorySegment.copy(lease.data(), ValueLayout.JAVA_BYTE, RpmsgHeaderLayout.SIZE, b, 0, len);
    return b;
  }

  @Override
  public String toUtf8() {
    return new String(toByteArray(), StandardCharsets.UTF_8);
  }

  @Override
  public void release() {
    lease.release();
  }

  @Override
  public String toString() {
    return "RpmsgMessage[" + RpmsgAddress.toString(src) + " -> " + RpmsgAddress.toString(dst) + ", " + len
        + " bytes" + (lease.isHeld() ? "" : ", released") + "]";
  }
}
