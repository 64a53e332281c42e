package io.reactorvirtio.vhost;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.reactorvirtio.testsupport.ArchitectureRules;
import io.reactorvirtio.vhost.internal.vringh.Vringh;
import io.reactorvirtio.vhost.link.VhostShmLink;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The shared {@link ArchitectureRules} on the vhost module: production rules on its main classes
 * (the {@code internal.vringh} ring walker must stay plain Java), access and test-hygiene rules on
 * main and test classes. The rules themselves are exercised against fixtures in reactor-virtio's
 * {@code io.reactorvirtio.virtio.ArchitectureTest}.
 */
class ArchitectureTest {

  private static final String PACKAGE = "io.reactorvirtio.vhost";

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
    assertThat(MAIN.contain(Vringh.class)).isTrue();
    assertThat(MAIN.contain(VhostShmLink.class)).isTrue();
    assertThat(MAIN.contain(ArchitectureTest.class)).isFalse();
    assertThat(ALL.contain(ArchitectureTest.class)).isTrue();
  }
}
