package io.reactorvirtio.testsupport;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The shared {@link ArchitectureRules} on one module: production rules on its main classes,
 * access and test-hygiene rules on main and test classes. A module's {@code ArchitectureTest}
 * extends this and names its base package and a few of its main classes (so that an empty import
 * cannot pass vacuously).
 */
public abstract class ModuleArchitectureTest {

  private final JavaClasses main;
  private final JavaClasses all;

  protected ModuleArchitectureTest() {
    this.main = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages(basePackage());
    this.all = new ClassFileImporter().importPackages(basePackage());
  }

  /** The module's base package, e.g. {@code io.reactorvirtio.vhost}. */
  protected abstract String basePackage();

  /** Some of the module's main classes, which the import must find. */
  protected abstract List<Class<?>> representativeClasses();

  @TestFactory
  Stream<DynamicTest> productionRules() {
    return ArchitectureRules.productionRules().stream()
        .map(rule -> DynamicTest.dynamicTest(rule.getDescription(), () -> rule.check(main)));
  }

  @TestFactory
  Stream<DynamicTest> allCodeRules() {
    return ArchitectureRules.allCodeRules().stream()
        .map(rule -> DynamicTest.dynamicTest(rule.getDescription(), () -> rule.check(all)));
  }

  /** The import really found main and test classes (guards against a vacuous pass). */
  @Test
  void importsMainAndTestClasses() {
    for (Class<?> c : representativeClasses()) {
      if (!main.contain(c)) {
        throw new AssertionError("main classes of " + basePackage() + " do not contain " + c.getName());
      }
    }
    if (main.contain(getClass()) || !all.contain(getClass())) {
      throw new AssertionError("the test import of " + basePackage() + " does not separate main from test classes");
    }
  }
}
