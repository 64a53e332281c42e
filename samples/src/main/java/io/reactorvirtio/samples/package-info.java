/** Runnable samples. */
@NullMarked
package io.reactorvirtio.samples;

import org.jspecify.annotations.NullMarked;
