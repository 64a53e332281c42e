package io.reactorvirtio.transport.epf.linux;

import java.nio.file.Path;

/**
 * How a {@link UioInterruptSource} re-enables the interrupt after each one, which depends on the
 * UIO driver:
 *
 * <ul>
 *   <li>{@link #writeOne()} — {@code uio_pdrv_genirq} and other drivers with an {@code irqcontrol}:
 *       the kernel handler disabled the line; writing a 32-bit 1 to {@code /dev/uioX} re-enables it
 *       (the device is then opened read-write).
 *   <li>{@link #pciIntx(Path)} — {@code uio_pci_generic}: the kernel sets the INTx-disable bit
 *       (Command bit 10) on each interrupt; user space clears it in config space (byte 5, mask
 *       0x04) with a positional read-modify-write of the device's sysfs {@code config}. It has no
 *       {@code irqcontrol}: a write to the device fails.
 *   <li>{@link #none()} — the driver re-arms by itself (or a test).
 * </ul>
 */
public sealed interface UioIrqReenable {

  /** Write a 32-bit 1 to the device file after each interrupt ({@code uio_pdrv_genirq}). */
  static UioIrqReenable writeOne() {
    return WriteOne.INSTANCE;
  }

  /**
   * Clear INTx-disable in {@code config} after each interrupt ({@code uio_pci_generic}).
   *
   * @param configFile the PCI device's sysfs {@code config}, e.g. {@link UioDevice#pciConfigFile()}
   */
  static UioIrqReenable pciIntx(Path configFile) {
    return new PciIntx(configFile);
  }

  /** Do nothing. */
  static UioIrqReenable none() {
    return None.INSTANCE;
  }

  /** See {@link #writeOne()}. */
  enum WriteOne implements UioIrqReenable {
    INSTANCE
  }

  /** See {@link #none()}. */
  enum None implements UioIrqReenable {
    INSTANCE
  }

  /**
   * See {@link #pciIntx(Path)}.
   *
   * @param configFile the PCI config-space file
   */
  record PciIntx(Path configFile) implements UioIrqReenable {}
}
