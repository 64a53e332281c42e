/** The rpmsg Spring Boot starter. */
@NullMarked
package io.reactorvirtio.spring;

import org.jspecify.annotations.NullMarked;
