/** The bus behind {@link io.reactorvirtio.rpmsg.RpmsgBus}: dispatch, endpoints, name service, address service. */
@NullMarked
package io.reactorvirtio.rpmsg.internal.bus;

import org.jspecify.annotations.NullMarked;
