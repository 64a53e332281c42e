package io.reactorvirtio.spring;

import io.reactorvirtio.testsupport.ModuleArchitectureTest;
import java.util.List;

/** The shared architecture rules on the Spring starter: its internals stay internal. */
class ArchitectureTest extends ModuleArchitectureTest {

  @Override
  protected String basePackage() {
    return "io.reactorvirtio.spring";
  }

  @Override
  protected List<Class<?>> representativeClasses() {
    return List.of(RpmsgLinks.class, io.reactorvirtio.spring.internal.ManagedLinks.class,
        io.reactorvirtio.spring.autoconfigure.RpmsgAutoConfiguration.class);
  }
}
