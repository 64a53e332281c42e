/** Shared memory: regions mapped from files or devices, and windows that translate bus addresses. */
@NullMarked
package io.reactorvirtio.virtio.memory;

import org.jspecify.annotations.NullMarked;
