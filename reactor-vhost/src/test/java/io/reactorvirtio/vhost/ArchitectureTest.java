package io.reactorvirtio.vhost;

import io.reactorvirtio.testsupport.ModuleArchitectureTest;
import java.util.List;

/**
 * The shared architecture rules on the vhost module (the {@code internal.vringh} ring walker must stay
 * plain Java). The rules themselves are exercised against fixtures in reactor-virtio's
 * {@code io.reactorvirtio.virtio.ArchitectureTest}.
 */
class ArchitectureTest extends ModuleArchitectureTest {

  @Override
  protected String basePackage() {
    return "io.reactorvirtio.vhost";
  }

  @Override
  protected List<Class<?>> representativeClasses() {
    return List.of(io.reactorvirtio.vhost.internal.vringh.Vringh.class, io.reactorvirtio.vhost.link.VhostShmLink.class);
  }
}
