package io.reactorvirtio.virtio.internal.reactive;

import io.reactorvirtio.virtio.LinkEvent;
import io.reactorvirtio.virtio.VirtioException;
import org.jspecify.annotations.Nullable;

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
  private final Sinks.Many<LinkEvent> events = Sinks.many().replay().latest();
  private volatile LinkState state;
  private volatile @Nullable VirtioException lastProblem;

  public LinkStates(String link, LinkState initial) {
    this.link = link;
    this.state = initial;
    sink.tryEmitNext(initial);
    events.tryEmitNext(new LinkEvent(initial, null));
  }

  /** The state changes with their reasons, the current one first. */
  public Flux<LinkEvent> events() {
    return events.asFlux();
  }

  /** The most recent problem reported with a state change, or null. */
  public @Nullable VirtioException lastProblem() {
    return lastProblem;
  }

  /**
   * Moves to {@code next} because of {@code problem} (emitted even if the state does not change:
   * a second refusal is news). Emissions are serialized by the caller (the poller thread, or close).
   */
  public synchronized void set(LinkState next, @Nullable VirtioException problem) {
    boolean changed = next != state;
    state = next;
    if (problem != null) {
      lastProblem = problem;
    }
    if (changed || problem == null) {
      sink.tryEmitNext(next);
    }
    if (changed || problem != null) {
      events.tryEmitNext(new LinkEvent(next, problem));
    }
  }

  public LinkState current() {
    return state;
  }

  public Flux<LinkState> flux() {
    return sink.asFlux();
  }

  public void set(LinkState next) {
    set(next, null);
  }

  /** FAILED, then the streams complete (the link closed). */
  public synchronized void close() {
    set(LinkState.FAILED);
    sink.tryEmitComplete();
    events.tryEmitComplete();
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
