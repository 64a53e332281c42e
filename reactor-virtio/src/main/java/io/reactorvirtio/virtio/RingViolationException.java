package io.reactorvirtio.virtio;

/**
 * The peer broke the ring protocol; the queue is marked broken and stays so until reset. The
 * message names the queue, the field and the value, for example
 * {@code virtqueue 'rx' broken: descriptor chain loops (desc[3].next = 1)}.
 */
public final class RingViolationException extends VirtioException {

  private static final long serialVersionUID = 1L;

  private final RingViolation violation;
  private final String field;
  private final long value;

  public RingViolationException(String queue, RingViolation violation, String field, long value) {
    super("virtqueue '" + queue + "' broken: " + violation.description() + " (" + field + " = " + value
        + (value > 9 || value < 0 ? " / 0x" + Long.toHexString(value) : "") + ")");
    this.violation = violation;
    this.field = field;
    this.value = value;
  }

  public RingViolation violation() {
    return violation;
  }

  /** The ring field, e.g. {@code desc[3].next} or {@code avail.idx}. */
  public String field() {
    return field;
  }

  /** The value the peer wrote there. */
  public long value() {
    return value;
  }
}
