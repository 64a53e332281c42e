/** The rpmsg Spring Boot starter: autoconfigure. */
@NullMarked
package io.reactorvirtio.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
