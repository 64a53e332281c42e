package io.reactorvirtio.spring;

import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.virtio.LinkState;
import io.reactorvirtio.virtio.VirtioException;
import java.nio.file.Path;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The application's rpmsg links, one per {@code rpmsg.links.<name>} entry: opened when the
 * application context starts (before {@code @RpmsgEndpoint} methods are bound), closed when it
 * stops. Inject it to use a link's bus directly:
 *
 * <pre>{@code
 * links.bus("soc1").flatMap(bus -> bus.openChannel("rpmsg-echo")).flatMap(ep -> ep.send(...))
 * }</pre>
 */
public interface RpmsgLinks {

  Set<String> names();

  /** The link's bus, when it is there (a device-role link: once the driver has set DRIVER_OK). */
  Mono<RpmsgBus> bus(String link);

  /** The link's bus now, or null while it is not open yet. */
  @Nullable RpmsgBus busNow(String link);

  LinkState state(String link);

  Flux<LinkState> states(String link);

  /** The last problem the link reported (a refusal, a silent peer), or null. */
  @Nullable VirtioException lastProblem(String link);

  /** Why a device-role link is not open yet, or null. */
  @Nullable String waitingFor(String link);

  RpmsgProperties.Link settings(String link);

  Path path(String link);
}
