/**
 * The simulated EPF backend: a PCIe root complex and an endpoint function in two processes that
 * share a {@code /dev/shm} file holding the EP's register BAR, its doorbell BAR and RC memory.
 */
@NullMarked
package io.reactorvirtio.transport.epf.sim;

import org.jspecify.annotations.NullMarked;
