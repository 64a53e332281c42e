package io.reactorvirtio.virtio;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.reactorvirtio.testsupport.ArchitectureRules;
import io.reactorvirtio.virtio.internal.poll.LinkPoller;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The shared {@link ArchitectureRules} on this module: production rules on the main classes,
 * access and test-hygiene rules on main and test classes. A few fixtures below prove that the
 * custom conditions actually fire (a rule that passes on everything proves nothing).
 */
public class ArchitectureTest { // public: the API-exposure fixture below must be reachable API

  private static final String PACKAGE = "io.reactorvirtio.virtio";

  /** Main classes only (target/classes). */
  static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages(PACKAGE);

  /** Main and test classes, without this class's deliberately bad fixtures. */
  static final JavaClasses ALL = new ClassFileImporter()
      .withImportOption(location -> !location.contains("ArchitectureTest$Violations"))
      .importPackages(PACKAGE);

  @TestFactory
  Stream<DynamicTest> productionRules() {
    return ArchitectureRules.productionRules().stream()
        .filter(rule -> rule != ArchitectureRules.PUBLIC_API_EXPOSES_NO_INTERNAL_TYPES
            && rule != ArchitectureRules.NO_PACKAGE_CYCLES)
        .map(rule -> DynamicTest.dynamicTest(rule.getDescription(), () -> rule.check(MAIN)));
  }

  /** The cycle rule, with the documented BufferLease back edge as its only exception. */
  @Test
  void noPackageCycles() {
    ArchitectureRules.noPackageCycles(ArchitectureRules.BUFFER_LEASE_OWNER_EDGE).check(MAIN);
  }

  /** The public-API rule, with the documented BufferLease constructor as its only exception. */
  @Test
  void publicApiExposesNoInternalTypes() {
    ArchitectureRules.publicApiExposesNoInternalTypes(ArchitectureRules.BUFFER_LEASE_CONSTRUCTOR).check(MAIN);
  }

  @TestFactory
  Stream<DynamicTest> allCodeRules() {
    return ArchitectureRules.allCodeRules().stream()
        .map(rule -> DynamicTest.dynamicTest(rule.getDescription(), () -> rule.check(ALL)));
  }

  /** The import really found both sides (guards against a vacuous pass on an empty import). */
  @Test
  void importsMainAndTestClasses() {
    assertThat(MAIN.contain(BufferLease.class)).isTrue();
    assertThat(MAIN.contain(LinkPoller.class)).isTrue();
    assertThat(MAIN.contain(ArchitectureTest.class)).isFalse();
    assertThat(ALL.contain(ArchitectureTest.class)).isTrue();
    assertThat(ALL.contain(Violations.UnboundedStepVerifier.class)).isFalse();
  }

  // ---------------------------------------------------------------------------------------------
  // The rules fire on what they forbid.

  static final JavaClasses VIOLATIONS = new ClassFileImporter().importClasses(
      Violations.UnboundedStepVerifier.class, Violations.BoundedStepVerifier.class,
      Violations.NotAStaticLayout.class, Violations.LeakyApi.class);

  private static EvaluationResult evaluate(ArchRule rule) {
    return rule.evaluate(VIOLATIONS);
  }

  @Test
  void stepVerifierRuleCatchesEveryUnboundedVerifyButNotTheBoundedOnes() {
    EvaluationResult r = evaluate(ArchitectureRules.STEP_VERIFIER_ALWAYS_HAS_A_TIMEOUT);
    assertThat(r.hasViolation()).isTrue();
    String report = r.getFailureReport().toString();
    assertThat(report)
        .contains("verifyComplete()")
        .contains("verifyError()")
        .contains("verifyErrorMessage(")
        .contains("verify()")
        .contains("verifyThenAssertThat()")
        .doesNotContain("BoundedStepVerifier");
    assertThat(evaluate(ArchitectureRules.STEP_VERIFIER_DEFAULT_TIMEOUT_IS_NOT_CHANGED).hasViolation()).isTrue();
  }

  @Test
  void layoutRuleCatchesInstanceMembersAndPublicConstructors() {
    String report = evaluate(ArchitectureRules.LAYOUT_CLASSES_ARE_STATIC_DESCRIPTORS).getFailureReport().toString();
    assertThat(report)
        .contains("NotAStaticLayout")
        .contains("FINAL")
        .contains("private constructors")
        .contains("instance field")
        .contains("instance method");
  }

  @Test
  void publicApiRuleCatchesInternalTypesInSignatures() {
    String report = evaluate(ArchitectureRules.PUBLIC_API_EXPOSES_NO_INTERNAL_TYPES).getFailureReport().toString();
    assertThat(report)
        .contains("LeakyApi.poller()")
        .contains("LeakyApi.accept(java.util.List)")
        .contains("field " + Violations.LeakyApi.class.getName() + ".FIELD")
        .contains("internal type " + LinkPoller.class.getName())
        .doesNotContain("hidden");
  }

  /** Deliberate violations, excluded from {@link #ALL}. Never run. */
  public static final class Violations {

    static final class UnboundedStepVerifier {
      void unbounded() {
        StepVerifier.create(Mono.just(1)).expectNext(1).verifyComplete();
        StepVerifier.create(Mono.error(new IllegalStateException())).verifyError();
        StepVerifier.create(Mono.error(new IllegalStateException())).verifyErrorMessage("x");
        StepVerifier.create(Mono.just(1)).expectNext(1).expectComplete().verify();
        StepVerifier.create(Mono.just(1)).expectNext(1).expectComplete().verifyThenAssertThat();
        StepVerifier.setDefaultTimeout(Duration.ofSeconds(1));
      }
    }

    static final class BoundedStepVerifier {
      void bounded() {
        StepVerifier.create(Mono.just(1)).expectNext(1).expectComplete().verify(Duration.ofSeconds(5));
        StepVerifier.create(Mono.just(1)).expectNext(1).expectComplete().verifyThenAssertThat(Duration.ofSeconds(5));
        StepVerifier.create(Mono.never()).expectSubscription().expectNoEvent(Duration.ofMillis(1)).thenCancel()
            .verify(Duration.ofSeconds(5));
      }
    }

    static class NotAStaticLayout {
      int instanceField;

      public NotAStaticLayout() {}

      int instanceMethod() {
        return instanceField;
      }
    }

    public static final class LeakyApi {
      public static LinkPoller FIELD;

      public LinkPoller poller() {
        return null;
      }

      public void accept(java.util.List<LinkPoller> pollers) {}

      LinkPoller hidden() {
        return null;
      }
    }
  }
}
