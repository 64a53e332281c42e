/** Service-provider interfaces a transport implements: doorbells, interrupt sources, config regions. */
@NullMarked
package io.reactorvirtio.virtio.spi;

import org.jspecify.annotations.NullMarked;
