package io.reactorvirtio.spring.internal;

import io.reactorvirtio.rpmsg.RpmsgMessage;
import io.reactorvirtio.spring.RpmsgEndpoint;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * One {@link RpmsgEndpoint} method, checked once at start-up: how to turn a message into its
 * argument and its return value into a reply payload.
 */
public final class EndpointMethod {

  enum In { NONE, MESSAGE, SEGMENT, BYTES, STRING }

  enum Out { NONE, SEGMENT, BYTES, STRING, MONO }

  private final Object bean;
  private final Method method;
  private final RpmsgEndpoint annotation;
  private final In in;
  private final Out out;

  private EndpointMethod(Object bean, Method method, RpmsgEndpoint annotation, In in, Out out) {
    this.bean = bean;
    this.method = method;
    this.annotation = annotation;
    this.in = in;
    this.out = out;
  }

  /**
   * @throws IllegalStateException naming the method when its signature is not one the annotation takes
   */
  public static EndpointMethod of(Object bean, Method method, RpmsgEndpoint annotation) {
    String where = method.getDeclaringClass().getName() + "." + method.getName();
    if (annotation.name().isBlank() || annotation.name().getBytes(StandardCharsets.UTF_8).length > 31) {
      throw new IllegalStateException("@RpmsgEndpoint on " + where + ": name '" + annotation.name()
          + "' must be 1..31 bytes");
    }
    if (annotation.concurrency() < 1) {
      throw new IllegalStateException("@RpmsgEndpoint on " + where + ": concurrency must be at least 1");
    }
    if (method.getParameterCount() > 1) {
      throw new IllegalStateException("@RpmsgEndpoint on " + where + ": takes at most one parameter "
          + "(RpmsgMessage, MemorySegment, byte[] or String), found " + method.getParameterCount());
    }
    In in = In.NONE;
    if (method.getParameterCount() == 1) {
      Class<?> p = method.getParameterTypes()[0];
      in = p == RpmsgMessage.class ? In.MESSAGE : p == MemorySegment.class ? In.SEGMENT
          : p == byte[].class ? In.BYTES : p == String.class ? In.STRING : null;
      if (in == null) {
        throw new IllegalStateException("@RpmsgEndpoint on " + where + ": parameter type " + p.getName()
            + " is not RpmsgMessage, MemorySegment, byte[] or String");
      }
    }
    Out out = outOf(method.getReturnType(), method.getGenericReturnType(), where);
    method.setAccessible(true);
    return new EndpointMethod(bean, method, annotation, in, out);
  }

  private static Out outOf(Class<?> r, Type generic, String where) {
    if (r == void.class || r == Void.class) {
      return Out.NONE;
    }
    if (r == MemorySegment.class) {
      return Out.SEGMENT;
    }
    if (r == byte[].class) {
      return Out.BYTES;
    }
    if (r == String.class) {
      return Out.STRING;
    }
    if (r == Mono.class && generic instanceof ParameterizedType pt) {
      Type a = pt.getActualTypeArguments()[0];
      if (a == MemorySegment.class || a == byte[].class || a == String.class || a == Void.class) {
        return Out.MONO;
      }
    }
    throw new IllegalStateException("@RpmsgEndpoint on " + where + ": return type " + generic.getTypeName()
        + " is not void, String, byte[], MemorySegment or a Mono of one of those");
  }

  public RpmsgEndpoint annotation() {
    return annotation;
  }

  public String describe() {
    return method.getDeclaringClass().getSimpleName() + "." + method.getName();
  }

  public boolean async() {
    return out == Out.MONO;
  }

  /**
   * Calls the method with {@code m} and returns its reply payload (null: none), or, for a
   * {@code Mono} method, the Mono. The message stays leased: the caller releases it.
   */
  public @Nullable Object invoke(RpmsgMessage m) throws Throwable {
    Object arg = switch (in) {
      case NONE -> null;
      case MESSAGE -> m;
      case SEGMENT -> m.data();
      case BYTES -> m.toByteArray();
      case STRING -> m.toUtf8();
    };
    try {
      return in == In.NONE ? method.invoke(bean) : method.invoke(bean, arg);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** A reply value (what the method returned or its Mono emitted) as bytes to send, or null. */
  public static @Nullable MemorySegment payload(@Nullable Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof MemorySegment s) {
      return s;
    }
    if (value instanceof byte[] b) {
      return MemorySegment.ofArray(b);
    }
    if (value instanceof String s) {
      return MemorySegment.ofArray(s.getBytes(StandardCharsets.UTF_8));
    }
    throw new IllegalStateException("not a reply payload: " + value.getClass().getName());
  }
}
