package io.reactorvirtio.transport.epf.linux;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Resources acquired in order and released in reverse, every one attempted even when an earlier
 * release fails (the first failure is thrown, later ones suppressed). Used while a transport is
 * being opened (release what was acquired so far when a later step fails) and by its close.
 */
final class Teardown {

  /** One release step. */
  @FunctionalInterface
  interface Step {
    void run() throws Exception;
  }

  private final Deque<Step> steps = new ArrayDeque<>();

  /** Registers a release step. */
  void add(Step release) {
    steps.push(release);
  }

  /** Runs every step, last registered first; rethrows the first failure. */
  void run() {
    RuntimeException first = null;
    while (!steps.isEmpty()) {
      try {
        steps.pop().run();
      } catch (Exception e) {
        if (first == null) {
          first = e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** For open paths: runs every step, attaching any failure to {@code cause}, and returns it. */
  RuntimeException abort(RuntimeException cause) {
    try {
      run();
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
    return cause;
  }
}
