/**
 * A link compatible with OpenAMP's Linux user-space platform: a remoteproc resource table and the
 * rings in a shared file ({@code /dev/shm/openamp.shm}), kicks as single bytes over a Unix-domain
 * socket. Entry point: {@link io.reactorvirtio.transport.openamp.OpenAmpLink}.
 */
@NullMarked
package io.reactorvirtio.transport.openamp;

import org.jspecify.annotations.NullMarked;
