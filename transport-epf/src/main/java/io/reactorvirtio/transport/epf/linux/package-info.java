/**
 * Linux user-space building blocks for the PCIe endpoint transport: the root-complex side reaches
 * the endpoint function through sysfs ({@link io.reactorvirtio.transport.epf.linux.PciSysfsDevice}),
 * UIO ({@link io.reactorvirtio.transport.epf.linux.UioDevice}) or VFIO; the endpoint side configures
 * its function through the PCI endpoint configfs ({@link
 * io.reactorvirtio.transport.epf.linux.PciEndpointConfigfs}).
 *
 * <p>Every root directory ({@code /sys}, {@code /dev}, {@code /sys/kernel/config}) is a constructor
 * parameter, so the same code runs against a fake tree in tests. None of it has been tried on real
 * hardware (see the module README).
 */
@NullMarked
package io.reactorvirtio.transport.epf.linux;

import org.jspecify.annotations.NullMarked;
