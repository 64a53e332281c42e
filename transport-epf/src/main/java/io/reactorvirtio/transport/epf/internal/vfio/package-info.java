/**
 * Internal: VFIO's ioctl numbers and argument structs ({@code include/uapi/linux/vfio.h}, FACTS
 * §5.3) as {@code *Layout} descriptors. The structs are host-endian (native order); every one
 * starts with {@code argsz}, the size the caller provides. Not API.
 */
@NullMarked
package io.reactorvirtio.transport.epf.internal.vfio;

import org.jspecify.annotations.NullMarked;
