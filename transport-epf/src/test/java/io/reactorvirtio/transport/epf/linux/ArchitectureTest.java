package io.reactorvirtio.transport.epf.linux;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.reactorvirtio.testsupport.ArchitectureRules;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The shared {@link ArchitectureRules} on transport-epf. */
class ArchitectureTest {

  private static final String PACKAGE = "io.reactorvirtio.transport.epf";

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

  @Test
  void importsMainAndTestClasses() {
    assertThat(MAIN.contain(UioInterruptSource.class)).isTrue();
    assertThat(MAIN.contain(PciSysfsDevice.class)).isTrue();
    assertThat(MAIN.contain(ArchitectureTest.class)).isFalse();
    assertThat(ALL.contain(ArchitectureTest.class)).isTrue();
  }
}
