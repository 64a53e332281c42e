package io.reactorvirtio.rpmsg;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import org.junit.jupiter.api.Test;

/** The module's layering rules (STYLE.md synthesis), checked on its production and test classes. */
class ArchitectureTest {

  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.reactorvirtio.rpmsg");

  private static final JavaClasses TESTS = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
      .importPackages("io.reactorvirtio.rpmsg");

  @Test
  void wireStructsImportNoFrameworkAndNoLogging() {
    noClasses().that().resideInAPackage("..rpmsg.internal.wire..")
        .should().dependOnClassesThat().resideInAnyPackage("reactor..", "org.springframework..", "io.micrometer..",
            "org.slf4j..", "java.util.logging..")
        .check(MAIN);
  }

  @Test
  void layoutClassesAreFinalStaticDescriptors() {
    classes().that().haveSimpleNameEndingWith("Layout")
        .should().haveModifier(JavaModifier.FINAL)
        .andShould().haveOnlyPrivateConstructors()
        .check(MAIN);
  }

  @Test
  void rpmsgUsesOnlyThePublicApiOfTheLayersBelow() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("io.reactorvirtio.virtio.internal..",
        "io.reactorvirtio.vhost.internal..")
        .check(MAIN);
  }

  @Test
  void publicSignaturesNeverMentionInternalTypes() {
    methods().that().areDeclaredInClassesThat().resideInAPackage("io.reactorvirtio.rpmsg")
        .and().arePublic()
        .should(new ArchCondition<>("mention no internal type in parameters or return type") {
          @Override
          public void check(com.tngtech.archunit.core.domain.JavaMethod m, ConditionEvents events) {
            for (JavaClass t : m.getParameterTypes().stream().map(p -> p.toErasure()).toList()) {
              if (t.getPackageName().contains(".internal")) {
                events.add(SimpleConditionEvent.violated(m, m.getFullName() + " takes " + t.getName()));
              }
            }
            JavaClass r = m.getRawReturnType();
            if (r.getPackageName().contains(".internal")) {
              events.add(SimpleConditionEvent.violated(m, m.getFullName() + " returns " + r.getName()));
            }
          }
        })
        .check(MAIN);
  }

  @Test
  void noPackageCycles() {
    SlicesRuleDefinition.slices().matching("io.reactorvirtio.(**)").should().beFreeOfCycles()
        .allowEmptyShould(true)
        .check(MAIN);
  }

  @Test
  void stepVerifierAlwaysWaitsWithABound() {
    noClasses().should().callMethod(reactor.test.StepVerifier.LastStep.class, "verifyComplete")
        .orShould().callMethod(reactor.test.StepVerifier.class, "verify")
        .check(TESTS);
  }
}
