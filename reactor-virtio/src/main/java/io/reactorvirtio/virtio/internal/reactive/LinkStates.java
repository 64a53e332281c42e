package io.reactorvirtio.virtio.internal.reactive;

import io.reactorvirtio.virtio.LinkDownException;
import io.reactorvirtio.virtio.LinkState;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * A link's state and its stream (control plane: a replay-latest sink), and what both link roles do
 * when the peer goes silent: fail every queue's work in flight.
 */
public final class LinkStates {

  private final String link;
  private final Sinks.Many<LinkState> sink = Sinks.many().replay().latest();
  private volatile LinkState state;

  public LinkStates(String link, LinkState initial) {
    this.link = link;
    this.state = initial;
    sink.tryEmitNext(initial);
  }

  public LinkState current() {
    return state;
  }

  public Flux<LinkState> flux() {
    return sink.asFlux();
  }

  public void set(LinkState next) {
    state = next;
    sink.tryEmitNext(next);
  }

  /** FAILED, then the stream completes (the link closed). */
  public void close() {
    set(LinkState.FAILED);
    sink.tryEmitComplete();
  }

  /** Fails sends in flight and receive subscribers of every queue: the peer went silent. */
  public void peerSilent(List<QueueHandle> queues, long silentNanos, int livenessMs) {
    failAll(queues, new LinkDownException(link + ": peer silent for " + silentNanos / 1_000_000
        + " ms (liveness bound " + livenessMs + " ms)"));
  }

  public static void failAll(List<QueueHandle> queues, LinkDownException error) {
    for (QueueHandle q : queues) {
      q.linkDown(error);
    }
  }
}
