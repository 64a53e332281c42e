package io.reactorvirtio.spring.internal;

import io.reactorvirtio.rpmsg.EndpointOptions;
import io.reactorvirtio.rpmsg.RpmsgEndpoint;
import io.reactorvirtio.rpmsg.RpmsgMessage;
import io.reactorvirtio.spring.RpmsgLinks;
import io.reactorvirtio.virtio.BufferWriter;
import io.reactorvirtio.virtio.MessageTooLargeException;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Finds {@link io.reactorvirtio.spring.RpmsgEndpoint} methods on beans, and once the links are
 * open binds each to an endpoint of its link's bus: messages in, the method's replies out, with
 * backpressure end to end (a reply is requested only when the ring has room for it, a message
 * only when the reply before has been taken). A binding survives link restarts: the endpoint keeps
 * its address, and the pipeline is re-subscribed after a link-down error.
 */
public final class RpmsgEndpointRegistrar implements BeanPostProcessor, SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(RpmsgEndpointRegistrar.class);

  private final ObjectProvider<RpmsgLinks> links;
  private final ObjectProvider<HandlerObserver> observer;
  private final List<EndpointMethod> methods = new CopyOnWriteArrayList<>();
  private final List<Binding> bindings = new ArrayList<>();
  private volatile boolean running;

  public RpmsgEndpointRegistrar(ObjectProvider<RpmsgLinks> links, ObjectProvider<HandlerObserver> observer) {
    this.links = links;
    this.observer = observer;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    Class<?> type = AopUtils.getTargetClass(bean);
    Map<Method, io.reactorvirtio.spring.RpmsgEndpoint> found = MethodIntrospector.selectMethods(type,
        (MethodIntrospector.MetadataLookup<io.reactorvirtio.spring.RpmsgEndpoint>) m ->
            AnnotatedElementUtils.findMergedAnnotation(m, io.reactorvirtio.spring.RpmsgEndpoint.class));
    found.forEach((m, a) -> methods.add(EndpointMethod.of(bean, AopUtils.selectInvocableMethod(m, bean.getClass()), a)));
    return bean;
  }

  @Override
  public void start() {
    RpmsgLinks all = links.getObject();
    Map<String, EndpointMethod> seen = new HashMap<>();
    for (EndpointMethod m : methods) {
      String link = m.annotation().link();
      if (!all.names().contains(link)) {
        throw new IllegalStateException("@RpmsgEndpoint on " + m.describe() + " names link '" + link
            + "', which is not configured; configured: " + all.names() + " (rpmsg.links.<name>.*)");
      }
      String key = link + "/" + m.annotation().name();
      EndpointMethod other = seen.putIfAbsent(key, m);
      if (other != null) {
        throw new IllegalStateException("@RpmsgEndpoint '" + m.annotation().name() + "' on link '" + link
            + "' is declared twice: " + other.describe() + " and " + m.describe());
      }
    }
    HandlerObserver obs = observer.getIfAvailable(() -> HandlerObserver.NONE);
    for (EndpointMethod m : methods) {
      Binding b = new Binding(m, all, obs.forEndpoint(m.annotation().link(), m.annotation().name()));
      bindings.add(b);
      b.start();
    }
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    bindings.forEach(Binding::stop);
    bindings.clear();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return ManagedLinks.PHASE + 1;
  }

  /** Logging may block: never on a link's poller thread (where messages and replies are handled). */
  static void offPoller(Runnable r) {
    Schedulers.boundedElastic().schedule(r);
  }

  /** A reply payload and the message it answers, released once the payload is in a ring buffer. */
  record Reply(MemorySegment payload, RpmsgMessage message) {
    void release() {
      message.release();
    }
  }

  static final BufferWriter<Reply> WRITER = (r, buf) -> {
    try {
      long n = r.payload().byteSize();
      if (n > buf.byteSize()) {
        throw new MessageTooLargeException(n, buf.byteSize());
      }
      MemorySegment.copy(r.payload(), 0, buf, 0, n);
      return (int) n;
    } finally {
      r.release();
    }
  };

  /** One method bound to one endpoint. */
  static final class Binding {
    private final EndpointMethod method;
    private final RpmsgLinks links;
    private final HandlerObserver.Recorder recorder;
    private final AtomicLong errors = new AtomicLong();
    private volatile @Nullable RpmsgEndpoint endpoint;
    private volatile boolean stopped;
    private @Nullable Disposable run;

    Binding(EndpointMethod method, RpmsgLinks links, HandlerObserver.Recorder recorder) {
      this.method = method;
      this.links = links;
      this.recorder = recorder;
    }

    void start() {
      io.reactorvirtio.spring.RpmsgEndpoint a = method.annotation();
      EndpointOptions opts = a.announce() ? EndpointOptions.named(a.name()).announced() : EndpointOptions.named(a.name());
      run = links.bus(a.link()).flatMap(bus -> bus.createEndpoint(opts)).doOnNext(ep -> {
        endpoint = ep;
        offPoller(() -> log.info("@RpmsgEndpoint {} bound to '{}' on link '{}' (address {})", method.describe(),
            a.name(), a.link(), ep.address()));
      }).flatMap(ep -> Mono.defer(() -> ep.sendEach(replies(ep), r -> r.message().source(), WRITER)
              .doOnDiscard(Reply.class, Reply::release))
          .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, Duration.ofMillis(100))
              .filter(e -> !stopped && !ep.isClosed())
              .doBeforeRetry(s -> offPoller(() -> log.warn("@RpmsgEndpoint {} on link '{}': {}; resuming",
                  method.describe(), a.link(), s.failure().toString())))))
          .subscribe(null, e -> {
            if (!stopped) {
              offPoller(() -> log.error("@RpmsgEndpoint {} on link '{}' stopped", method.describe(), a.link(), e));
            }
          });
    }

    Flux<Reply> replies(RpmsgEndpoint ep) {
      io.reactorvirtio.spring.RpmsgEndpoint a = method.annotation();
      Flux<RpmsgMessage> in = ep.receive();
      Flux<Reply> out;
      if (!a.blocking() && !method.async()) {
        out = in.handle((m, sink) -> {
          Reply r = call(m);
          if (r != null) {
            sink.next(r);
          }
        });
      } else if (!a.blocking()) {
        out = in.concatMap(this::callAsync);
      } else {
        out = in.flatMapSequential(m -> callAsync(m).subscribeOn(Schedulers.boundedElastic()), a.concurrency(), 1);
      }
      return out.doOnDiscard(Reply.class, Reply::release).doOnDiscard(RpmsgMessage.class, RpmsgMessage::release);
    }

    /** Calls the method; the reply, or null (the message is then released). Never throws. */
    @Nullable Reply call(RpmsgMessage m) {
      long t0 = System.nanoTime();
      try {
        MemorySegment payload = EndpointMethod.payload(method.invoke(m));
        recorder.record(System.nanoTime() - t0, false);
        if (payload == null) {
          m.release();
          return null;
        }
        return new Reply(payload, m);
      } catch (Throwable t) {
        recorder.record(System.nanoTime() - t0, true);
        failed(t);
        m.release();
        return null;
      }
    }

    Mono<Reply> callAsync(RpmsgMessage m) {
      if (!method.async()) {
        return Mono.fromSupplier(() -> call(m));
      }
      long t0 = System.nanoTime();
      Mono<?> result;
      try {
        result = (Mono<?>) method.invoke(m);
      } catch (Throwable t) {
        recorder.record(System.nanoTime() - t0, true);
        failed(t);
        m.release();
        return Mono.empty();
      }
      if (result == null) {
        m.release();
        return Mono.empty();
      }
      return result.<Reply>handle((v, sink) -> {
        MemorySegment p = EndpointMethod.payload(v);
        if (p != null) {
          sink.next(new Reply(p, m));
        }
      }).doOnSuccess(r -> {
        recorder.record(System.nanoTime() - t0, false);
        if (r == null) {
          m.release();
        }
      }).onErrorResume(t -> {
        recorder.record(System.nanoTime() - t0, true);
        failed(t);
        m.release();
        return Mono.empty();
      });
    }

    private void failed(Throwable t) {
      long n = errors.incrementAndGet();
      if (n <= 10 || n % 1000 == 0) {
        offPoller(() -> log.warn("@RpmsgEndpoint {} threw (error {} so far); the endpoint goes on",
            method.describe(), n, t));
      }
    }

    void stop() {
      stopped = true;
      Disposable r = run;
      if (r != null) {
        r.dispose();
      }
      RpmsgEndpoint ep = endpoint;
      if (ep != null && !ep.isClosed()) {
        ep.close().onErrorComplete().block(Duration.ofSeconds(2));
      }
    }
  }
}
