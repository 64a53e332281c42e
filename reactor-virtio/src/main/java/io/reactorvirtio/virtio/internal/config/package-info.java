/** Internal: the virtio-pci modern common configuration structure and its validation. No Reactor types. */
@NullMarked
package io.reactorvirtio.virtio.internal.config;

import org.jspecify.annotations.NullMarked;
