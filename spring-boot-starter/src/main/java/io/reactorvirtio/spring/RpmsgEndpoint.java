package io.reactorvirtio.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a bean method to an rpmsg channel, as {@code @KafkaListener} binds one to a topic: when
 * the application starts, an endpoint named {@link #name()} is created on the bus of link
 * {@link #link()} (announced to the peer by default), and every message that arrives is passed to
 * the method. What the method returns is sent back to the endpoint's peer.
 *
 * <pre>{@code
 * @Component
 * class Echo {
 *   @RpmsgEndpoint(link = "soc1", name = "rpmsg-echo")
 *   String echo(String request) {
 *     return "echo: " + request;
 *   }
 * }
 * }</pre>
 *
 * <p>Parameters (at most one): {@code RpmsgMessage} (a lease on the ring buffer, valid during the
 * call; the framework releases it), {@code MemorySegment} (its payload, valid during the call),
 * {@code byte[]} or {@code String} (UTF-8) copies, or none. Returns: {@code void} (no reply),
 * {@code String}, {@code byte[]}, {@code MemorySegment} (copied into a ring buffer), or a
 * {@code Mono} of one of those. A {@code null} reply sends nothing. A method that throws is
 * logged and counted ({@code rpmsg.endpoint.errors}); the endpoint goes on with the next message.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface RpmsgEndpoint {

  /** The link, as named under {@code rpmsg.links.<name>}. */
  String link();

  /** The channel (endpoint) name, at most 31 bytes. */
  String name();

  /** Announce the endpoint to the peer (name service); otherwise it is bound by the peer's first message. */
  boolean announce() default true;

  /**
   * The method may block (the default): it runs on a worker ({@code boundedElastic}), at most
   * {@link #concurrency()} messages at a time. {@code false}: it runs on the link's poller thread,
   * in order, with no hand-off — the fastest path; it must then never block.
   */
  boolean blocking() default true;

  /** Messages in the method at once when {@link #blocking()}; 1 keeps them in order. */
  int concurrency() default 1;
}
