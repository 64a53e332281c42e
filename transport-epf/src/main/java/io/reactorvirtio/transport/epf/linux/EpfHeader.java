package io.reactorvirtio.transport.epf.linux;

/**
 * The configuration-space header an endpoint function presents, as written to its configfs
 * attributes. Ids are written in hex ({@code "0x1af4\n"}), counts in decimal ({@code "1\n"}); the
 * kernel parses both with base 0.
 *
 * @param vendorId {@code vendorid}, 16 bits (the drivers' default is 0xffff, PCI_ANY_ID)
 * @param deviceId {@code deviceid}, 16 bits
 * @param revisionId {@code revid}, 8 bits
 * @param baseClass {@code baseclass_code}, 8 bits
 * @param subClass {@code subclass_code}, 8 bits
 * @param interruptPin {@code interrupt_pin}: 0 none, 1–4 INTA–INTD
 * @param msiInterrupts {@code msi_interrupts}: 1–32, or 0 to leave the attribute alone
 * @param msixInterrupts {@code msix_interrupts}: 1–2048, or 0 to leave the attribute alone
 */
public record EpfHeader(
    int vendorId,
    int deviceId,
    int revisionId,
    int baseClass,
    int subClass,
    int interruptPin,
    int msiInterrupts,
    int msixInterrupts) {

  /** Checks every field's range; the message names the attribute. */
  public EpfHeader {
    check("vendorid", vendorId, 0, 0xFFFF);
    check("deviceid", deviceId, 0, 0xFFFF);
    check("revid", revisionId, 0, 0xFF);
    check("baseclass_code", baseClass, 0, 0xFF);
    check("subclass_code", subClass, 0, 0xFF);
    check("interrupt_pin", interruptPin, 0, 4);
    check("msi_interrupts", msiInterrupts, 0, 32);
    check("msix_interrupts", msixInterrupts, 0, 2048);
  }

  /**
   * A header with the given ids, class "other" (0xff/0x00), INTA and no MSI/MSI-X counts.
   */
  public static EpfHeader of(int vendorId, int deviceId) {
    return new EpfHeader(vendorId, deviceId, 0, 0xFF, 0, 1, 0, 0);
  }

  /** A copy with MSI and MSI-X vector counts (0 leaves the attribute alone). */
  public EpfHeader withInterrupts(int msi, int msix) {
    return new EpfHeader(vendorId, deviceId, revisionId, baseClass, subClass, interruptPin, msi, msix);
  }

  private static void check(String attribute, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          attribute + " must be " + min + "-" + max + " (0x" + Integer.toHexString(max) + "): " + value);
    }
  }
}
