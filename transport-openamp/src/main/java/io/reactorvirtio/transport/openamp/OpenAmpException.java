package io.reactorvirtio.transport.openamp;

/** Root of this module's errors: the OpenAMP link could not be set up or lost its peer. */
public class OpenAmpException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public OpenAmpException(String message) {
    super(message);
  }

  public OpenAmpException(String message, Throwable cause) {
    super(message, cause);
  }
}
