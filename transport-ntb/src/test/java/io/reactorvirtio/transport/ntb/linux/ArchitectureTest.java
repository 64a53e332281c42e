package io.reactorvirtio.transport.ntb.linux;

import io.reactorvirtio.testsupport.ModuleArchitectureTest;
import java.util.List;

/**
 * The shared architecture rules on transport-ntb.
 */
class ArchitectureTest extends ModuleArchitectureTest {

  @Override
  protected String basePackage() {
    return "io.reactorvirtio.transport.ntb";
  }

  @Override
  protected List<Class<?>> representativeClasses() {
    return List.of(io.reactorvirtio.transport.ntb.linux.NtbToolPort.class, io.reactorvirtio.transport.ntb.linux.NtbScratchpadLayout.class,
        io.reactorvirtio.transport.ntb.linux.LinuxNtb.class, io.reactorvirtio.transport.ntb.sim.SimulatedNtb.class,
        io.reactorvirtio.transport.ntb.sim.NtbSimLayout.class);
  }
}
