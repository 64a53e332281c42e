package io.reactorvirtio.rpmsg;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.reactorvirtio.rpmsg.internal.bus.VirtioRpmsgBus;
import io.reactorvirtio.rpmsg.internal.wire.RpmsgHeaderLayout;
import io.reactorvirtio.rpmsg.virtio.RpmsgVirtio;
import io.reactorvirtio.testsupport.ArchitectureRules;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The shared {@link ArchitectureRules} on the rpmsg module: the {@code internal.wire} structs are
 * ring core (plain Java, no Reactor or logging), public signatures never mention internal types,
 * no package cycles, {@code *Layout} classes are static descriptors; rpmsg reaches neither
 * virtio's nor vhost's internals; StepVerifier always waits with a bound.
 */
class ArchitectureTest {

  private static final String PACKAGE = "io.reactorvirtio.rpmsg";

  static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages(PACKAGE);

  static final JavaClasses ALL = new ClassFileImporter().importPackages(PACKAGE);

  @TestFactory
  Stream<DynamicTest> productionRules() {
    return ArchitectureRules.productionRules().stream()
        .map(rule -> DynamicTest.dynamicTest(rule.getDescription(), () -> rule.check(MAIN)));
  }

  @TestFactory
  Stream<DynamicTest> allCodeRules() {
    return ArchitectureRules.allCodeRules().stream()
        .map(rule -> DynamicTest.dynamicTest(rule.getDescription(), () -> rule.check(ALL)));
  }

  /** The import really found both sides (guards against a vacuous pass on an empty import). */
  @Test
  void importsMainAndTestClasses() {
    assertThat(MAIN.contain(RpmsgHeaderLayout.class)).isTrue();
    assertThat(MAIN.contain(VirtioRpmsgBus.class)).isTrue();
    assertThat(MAIN.contain(RpmsgVirtio.class)).isTrue();
    assertThat(MAIN.contain(ArchitectureTest.class)).isFalse();
    assertThat(ALL.contain(ArchitectureTest.class)).isTrue();
  }
}
