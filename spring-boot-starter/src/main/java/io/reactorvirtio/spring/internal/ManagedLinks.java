package io.reactorvirtio.spring.internal;

import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.spring.RpmsgLinks;
import io.reactorvirtio.spring.RpmsgProperties;
import io.reactorvirtio.virtio.LinkState;
import io.reactorvirtio.virtio.VirtioException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@link RpmsgLinks} as a lifecycle bean: opens every configured link at start, closes them at stop. */
public final class ManagedLinks implements RpmsgLinks, SmartLifecycle {

  /** Links start early and stop late: endpoints (a later phase) run between. */
  public static final int PHASE = Integer.MIN_VALUE / 2;

  private final Map<String, ManagedLink> links = new LinkedHashMap<>();
  private volatile boolean running;

  public ManagedLinks(RpmsgProperties properties) {
    properties.getLinks().forEach((name, settings) -> links.put(name, new ManagedLink(name, settings)));
  }

  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(links.keySet());
  }

  /** The link's bus, when it is there (a device-role link: once the driver has set DRIVER_OK). */
  @Override
  public Mono<RpmsgBus> bus(String link) {
    return get(link).bus();
  }

  /** The link's bus now, or null while it is not open yet. */
  @Override
  public @Nullable RpmsgBus busNow(String link) {
    return get(link).busNow();
  }

  @Override
  public LinkState state(String link) {
    return get(link).state();
  }

  @Override
  public Flux<LinkState> states(String link) {
    return get(link).states();
  }

  /** The last problem the link reported (a refusal, a silent peer), or null. */
  @Override
  public @Nullable VirtioException lastProblem(String link) {
    return get(link).lastProblem();
  }

  /** Why a device-role link is not open yet, or null. */
  @Override
  public @Nullable String waitingFor(String link) {
    return get(link).waitingFor();
  }

  @Override
  public RpmsgProperties.Link settings(String link) {
    return get(link).settings();
  }

  @Override
  public Path path(String link) {
    return get(link).path();
  }

  private ManagedLink get(String link) {
    ManagedLink l = links.get(link);
    if (l == null) {
      throw new IllegalArgumentException("no rpmsg link '" + link + "'; configured: " + links.keySet()
          + " (rpmsg.links.<name>.*)");
    }
    return l;
  }

  @Override
  public void start() {
    try {
      links.values().forEach(ManagedLink::open);
    } catch (RuntimeException e) {
      links.values().forEach(ManagedLink::close);
      throw e;
    }
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    links.values().forEach(ManagedLink::close);
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  @Override
  public String toString() {
    return "RpmsgLinks" + links.values();
  }
}
