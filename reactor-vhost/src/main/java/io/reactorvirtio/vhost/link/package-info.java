/** The device side of the shared-memory link. */
@NullMarked
package io.reactorvirtio.vhost.link;

import org.jspecify.annotations.NullMarked;
