package io.reactorvirtio.transport.epf.linux;

import io.reactorvirtio.testsupport.ModuleArchitectureTest;
import java.util.List;

/**
 * The shared architecture rules on transport-epf.
 */
class ArchitectureTest extends ModuleArchitectureTest {

  @Override
  protected String basePackage() {
    return "io.reactorvirtio.transport.epf";
  }

  @Override
  protected List<Class<?>> representativeClasses() {
    return List.of(io.reactorvirtio.transport.epf.linux.UioInterruptSource.class, io.reactorvirtio.transport.epf.linux.PciSysfsDevice.class);
  }
}
