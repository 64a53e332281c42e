package io.reactorvirtio.benchmarks;

/** A run that cannot produce a trustworthy figure: lost/duplicated/reordered data, a dead or silent peer. */
public final class BenchFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public BenchFailure(String message) {
    super(message);
  }

  public BenchFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
