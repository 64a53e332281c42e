package io.reactorvirtio.spring.autoconfigure;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.reactorvirtio.rpmsg.RpmsgBus;
import io.reactorvirtio.rpmsg.RpmsgStats;
import io.reactorvirtio.spring.RpmsgLinks;
import io.reactorvirtio.spring.RpmsgProperties;
import io.reactorvirtio.spring.internal.HandlerObserver;
import io.reactorvirtio.spring.internal.LinkReport;
import io.reactorvirtio.spring.internal.ManagedLinks;
import io.reactorvirtio.spring.internal.RpmsgEndpointRegistrar;
import io.reactorvirtio.virtio.LinkState;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of the rpmsg starter: {@link RpmsgLinks} from {@code rpmsg.links.*}, the
 * {@code @RpmsgEndpoint} registrar, and — when they are on the class path — a health contributor
 * per link ({@code /actuator/health/rpmsg/<link>}), Micrometer meters, and the {@code rpmsg}
 * actuator endpoint listing links and channels.
 */
@AutoConfiguration
@EnableConfigurationProperties(RpmsgProperties.class)
public class RpmsgAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(RpmsgLinks.class)
  ManagedLinks rpmsgLinks(RpmsgProperties properties) {
    return new ManagedLinks(properties);
  }

  @Bean
  static RpmsgEndpointRegistrar rpmsgEndpointRegistrar(ObjectProvider<RpmsgLinks> links,
      ObjectProvider<HandlerObserver> observer) {
    return new RpmsgEndpointRegistrar(links, observer);
  }

  /** Health: UP while the link is UP; DOWN with the state and the last problem otherwise. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  static class LinkHealth {
    @Bean
    public CompositeHealthContributor rpmsgHealthContributor(RpmsgLinks links) {
      Map<String, HealthIndicator> perLink = new LinkedHashMap<>();
      for (String name : links.names()) {
        perLink.put(name, () -> {
          LinkState s = links.state(name);
          Health.Builder h = switch (s) {
            case UP -> Health.up();
            case FAILED -> Health.outOfService();
            default -> Health.down();
          };
          return h.withDetails(LinkReport.of(links, name)).build();
        });
      }
      return CompositeHealthContributor.fromMap(perLink);
    }
  }

  /** Micrometer: link state, bus counters by link, handler timings by link and channel. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  static class Metrics {
    @Bean
    public MeterBinder rpmsgMeters(RpmsgLinks links) {
      return registry -> {
        for (String name : links.names()) {
          Tags tags = Tags.of("link", name);
          Gauge.builder("rpmsg.link.up", links, l -> l.state(name) == LinkState.UP ? 1 : 0).tags(tags)
              .description("1 while the link is UP").register(registry);
          Gauge.builder("rpmsg.link.state", links, l -> l.state(name).ordinal()).tags(tags)
              .description("0 DOWN, 1 NEGOTIATING, 2 UP, 3 NEEDS_RESET, 4 FAILED").register(registry);
          counter(registry, "rpmsg.messages.received", tags, links, name, RpmsgStats::received);
          counter(registry, "rpmsg.messages.delivered", tags, links, name, RpmsgStats::delivered);
          counter(registry, "rpmsg.messages.sent", tags, links, name, RpmsgStats::sent);
          counter(registry, "rpmsg.messages.dropped", tags.and("reason", "bad_header"), links, name,
              RpmsgStats::droppedBadHeader);
          counter(registry, "rpmsg.messages.dropped", tags.and("reason", "unknown_address"), links, name,
              RpmsgStats::droppedUnknownAddress);
          counter(registry, "rpmsg.messages.dropped", tags.and("reason", "queue_full"), links, name,
              RpmsgStats::droppedQueueFull);
          counter(registry, "rpmsg.messages.dropped", tags.and("reason", "bad_name_service"), links, name,
              RpmsgStats::droppedBadNameService);
          counter(registry, "rpmsg.messages.dropped", tags.and("reason", "channel_limit"), links, name,
              RpmsgStats::droppedChannelLimit);
          counter(registry, "rpmsg.messages.dropped", tags.and("reason", "bad_address_service"), links, name,
              RpmsgStats::droppedBadAddressService);
        }
      };
    }

    private static void counter(MeterRegistry registry, String meter, Tags tags, RpmsgLinks links, String name,
        java.util.function.ToLongFunction<RpmsgStats> field) {
      ToDoubleFunction<RpmsgLinks> f = l -> {
        RpmsgBus bus = l.busNow(name);
        return bus == null ? 0 : field.applyAsLong(bus.stats());
      };
      FunctionCounter.builder(meter, links, f).tags(tags).register(registry);
    }

    @Bean
    HandlerObserver rpmsgHandlerObserver(ObjectProvider<MeterRegistry> registries) {
      return (link, name) -> {
        MeterRegistry registry = registries.getIfAvailable();
        if (registry == null) {
          return HandlerObserver.NONE.forEndpoint(link, name);
        }
        Timer ok = Timer.builder("rpmsg.endpoint.handler").tags("link", link, "channel", name, "outcome", "success")
            .description("@RpmsgEndpoint method invocations").register(registry);
        Timer failed = Timer.builder("rpmsg.endpoint.handler").tags("link", link, "channel", name, "outcome", "error")
            .register(registry);
        return (nanos, error) -> (error ? failed : ok).record(nanos, TimeUnit.NANOSECONDS);
      };
    }
  }

  /** {@code /actuator/rpmsg}: links, their state, channels and counters. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(Endpoint.class)
  static class Actuator {
    @Bean
    public RpmsgActuatorEndpoint rpmsgActuatorEndpoint(RpmsgLinks links) {
      return new RpmsgActuatorEndpoint(links);
    }
  }

  /** The {@code rpmsg} actuator endpoint. */
  @Endpoint(id = "rpmsg")
  public static class RpmsgActuatorEndpoint {
    private final RpmsgLinks links;

    public RpmsgActuatorEndpoint(RpmsgLinks links) {
      this.links = links;
    }

    @ReadOperation
    public Map<String, Object> links() {
      Map<String, Object> all = new LinkedHashMap<>();
      for (String name : links.names()) {
        all.put(name, LinkReport.of(links, name));
      }
      return Map.of("links", all);
    }

    @ReadOperation
    public Map<String, Object> link(@Selector String name) {
      return LinkReport.of(links, name);
    }
  }
}
