/** Internal: vringh-style device-side ring access over a window. No Reactor types. */
@NullMarked
package io.reactorvirtio.vhost.internal.vringh;

import org.jspecify.annotations.NullMarked;
