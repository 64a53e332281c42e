package io.reactorvirtio.transport.openamp;

/**
 * The resource table in the shared file breaks a rule: {@link #field()} names the field (as in
 * {@code struct fw_rsc_vdev}), {@link #value()} is what the file holds.
 */
public final class ResourceTableException extends OpenAmpException {

  private static final long serialVersionUID = 1L;

  private final String field;
  private final long value;

  public ResourceTableException(String field, long value, String rule) {
    super("resource table: " + field + " = " + value + " (0x" + Long.toHexString(value) + "): " + rule);
    this.field = field;
    this.value = value;
  }

  public String field() {
    return field;
  }

  public long value() {
    return value;
  }
}
