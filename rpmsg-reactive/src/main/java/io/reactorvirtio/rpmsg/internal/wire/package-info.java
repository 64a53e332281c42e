/**
 * rpmsg wire structures: layouts with their diagrams and allocation-free codecs over
 * {@code (MemorySegment, offset)}. Little-endian (VERSION_1, and the host order of every
 * remoteproc/OpenAMP peer we meet: x86_64 and arm64). No Reactor, Spring or logging here.
 */
@NullMarked
package io.reactorvirtio.rpmsg.internal.wire;

import org.jspecify.annotations.NullMarked;
