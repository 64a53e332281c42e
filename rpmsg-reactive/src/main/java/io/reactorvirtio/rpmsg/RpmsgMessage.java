package io.reactorvirtio.rpmsg;

import java.lang.foreign.MemorySegment;

/**
 * A received rpmsg message: a zero-copy lease on the ring buffer it arrived in. Release it exactly
 * once (idempotent) — until then the buffer is not given back to the ring.
 *
 * <pre>{@code
 * endpoint.receive().subscribe(msg -> {
 *   try { handle(msg.source(), msg.data()); } finally { msg.release(); }
 * });
 * }</pre>
 *
 * <p>Message objects are pooled per ring buffer: do not keep one after releasing it. {@link #data()}
 * is valid until then.
 */
public interface RpmsgMessage {

  /** The sender's address. */
  int source();

  /** The address it was sent to (this endpoint's). */
  int destination();

  /** Payload bytes (the header's {@code len}). */
  int length();

  /** The payload, a view into shared memory. */
  MemorySegment data();

  /** Copies the payload into {@code dst} at {@code offset} without creating a view. */
  void copyTo(MemorySegment dst, long offset);

  /** A copy of the payload (allocates). */
  byte[] toByteArray();

  /** The payload as UTF-8 (allocates). */
  String toUtf8();

  /** Gives the buffer back to the ring. Idempotent. */
  void release();
}
