package io.reactorvirtio.rpmsg;

import io.reactorvirtio.testsupport.ModuleArchitectureTest;
import java.util.List;

/**
 * The shared architecture rules on the rpmsg module: {@code internal.wire} is ring core (plain Java),
 * rpmsg reaches neither virtio's nor vhost's internals.
 */
class ArchitectureTest extends ModuleArchitectureTest {

  @Override
  protected String basePackage() {
    return "io.reactorvirtio.rpmsg";
  }

  @Override
  protected List<Class<?>> representativeClasses() {
    return List.of(io.reactorvirtio.rpmsg.internal.wire.RpmsgHeaderLayout.class, io.reactorvirtio.rpmsg.internal.bus.VirtioRpmsgBus.class, io.reactorvirtio.rpmsg.virtio.RpmsgVirtio.class);
  }
}
