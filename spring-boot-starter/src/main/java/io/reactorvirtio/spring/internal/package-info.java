/** The rpmsg Spring Boot starter: internal. */
@NullMarked
package io.reactorvirtio.spring.internal;

import org.jspecify.annotations.NullMarked;
