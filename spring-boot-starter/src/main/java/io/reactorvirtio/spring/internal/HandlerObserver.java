package io.reactorvirtio.spring.internal;

/**
 * Where {@code @RpmsgEndpoint} invocations are reported (Micrometer when it is on the class path;
 * nothing otherwise): one recorder per endpoint, created once.
 */
@FunctionalInterface
public interface HandlerObserver {

  /** Reports one invocation of an endpoint's method. */
  interface Recorder {
    void record(long nanos, boolean failed);
  }

  Recorder forEndpoint(String link, String name);

  HandlerObserver NONE = (link, name) -> (nanos, failed) -> { };
}
