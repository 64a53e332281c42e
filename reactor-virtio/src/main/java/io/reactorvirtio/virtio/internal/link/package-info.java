/** Internal: link bookkeeping shared by the links of both roles (liveness). No Reactor types. */
@NullMarked
package io.reactorvirtio.virtio.internal.link;

import org.jspecify.annotations.NullMarked;
