/** Implementation of the OpenAMP link: the shared file and the kick socket. Not API. */
@NullMarked
package io.reactorvirtio.transport.openamp.internal;

import org.jspecify.annotations.NullMarked;
