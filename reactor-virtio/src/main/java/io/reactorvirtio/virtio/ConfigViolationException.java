package io.reactorvirtio.virtio;

/**
 * The peer wrote an impossible value into the configuration registers. The message names the
 * link, the register and the value, e.g. {@code link 'ep0': queue_size is not a power of two
 * (queue 1 queue_size = 100 / 0x64)}.
 */
public final class ConfigViolationException extends VirtioException {

  private static final long serialVersionUID = 1L;

  private final ConfigViolation violation;
  private final String field;
  private final long value;

  public ConfigViolationException(String link, ConfigViolation violation, String field, long value) {
    super("link '" + link + "': " + violation.description() + " (" + field + " = " + value
        + (value > 9 || value < 0 ? " / 0x" + Long.toHexString(value) : "") + ")");
    this.violation = violation;
    this.field = field;
    this.value = value;
  }

  public ConfigViolation violation() {
    return violation;
  }

  public String field() {
    return field;
  }

  public long value() {
    return value;
  }
}
