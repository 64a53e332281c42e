package io.reactorvirtio.transport.openamp;

import io.reactorvirtio.testsupport.ModuleArchitectureTest;
import java.util.List;

/** The shared architecture rules on transport-openamp (no cycles between API and internal, etc.). */
class ArchitectureTest extends ModuleArchitectureTest {

  @Override
  protected String basePackage() {
    return "io.reactorvirtio.transport.openamp";
  }

  @Override
  protected List<Class<?>> representativeClasses() {
    return List.of(OpenAmpLink.class, OpenAmpLayout.class);
  }
}
