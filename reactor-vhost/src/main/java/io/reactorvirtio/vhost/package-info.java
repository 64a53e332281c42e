/** Public API of the device (vhost) side. */
@NullMarked
package io.reactorvirtio.vhost;

import org.jspecify.annotations.NullMarked;
