package io.reactorvirtio.testsupport;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.domain.JavaTypeVariable;
import com.tngtech.archunit.core.domain.ThrowsDeclaration;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceRule;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The architecture rules every module checks (Spring Boot's {@code buildSrc/.../ArchitectureRules}
 * shape): one place for the layering of STYLE.md "Tests / ArchUnit" and "Public API vs internal",
 * since no JPMS {@code module-info} draws the line for us.
 *
 * <p>Each module has an {@code ArchitectureTest} that imports its own classes and checks {@link
 * #productionRules()} against its main classes and {@link #allCodeRules()} against main and test
 * classes together:
 *
 * <pre>{@code
 * JavaClasses main = new ClassFileImporter()
 *     .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
 *     .importPackages("io.reactorvirtio.vhost");
 * ArchitectureRules.productionRules().forEach(rule -> rule.check(main));
 * }</pre>
 *
 * <p>Every rule allows an empty selection ({@code allowEmptyShould}): a module without ring code or
 * layouts passes the rules about them trivially. A rule that should hold in a module is made
 * meaningful by the module's own classes, not by ArchUnit's empty-should check.
 */
public final class ArchitectureRules {

  /** The project's root package. */
  public static final String ROOT_PACKAGE = "io.reactorvirtio";

  /**
   * The plain-Java ring core: split-ring layouts and flyweights, the device-side walker, and (when
   * it comes) rpmsg's wire structs. Single-threaded, allocation-free, no framework.
   */
  public static final List<String> RING_CORE_PACKAGES =
      List.of("..internal.ring..", "..internal.vringh..", "..internal.wire..");

  /** What the ring core must not depend on: Reactor, Spring, Micrometer, and any logging API. */
  public static final List<String> FRAMEWORK_PACKAGES = List.of(
      "reactor..", "org.springframework..", "io.micrometer..",
      "org.slf4j..", "java.util.logging..", "org.apache.logging..", "org.apache.commons.logging..", "ch.qos.logback..");

  /** Who may depend on {@code io.reactorvirtio.virtio.internal..}. */
  public static final List<String> VIRTIO_INTERNAL_CLIENTS = List.of(
      "io.reactorvirtio.virtio..", "io.reactorvirtio.vhost..", "io.reactorvirtio.benchmarks..",
      "io.reactorvirtio.transport..");

  /** Who may depend on {@code io.reactorvirtio.vhost.internal..}. */
  public static final List<String> VHOST_INTERNAL_CLIENTS = List.of(
      "io.reactorvirtio.vhost..", "io.reactorvirtio.benchmarks..", "io.reactorvirtio.transport..");

  /**
   * The one public signature allowed to mention an internal type: {@code BufferLease} is a public
   * final class (users receive and release leases) whose instances are created by the queue
   * implementations in {@code virtio.internal.queue}, which hand it their {@code LeaseOwner}. The
   * constructor is public only because Java has no module-level visibility without JPMS; its
   * javadoc says "for queue implementations". Given as {@link JavaCodeUnit#getFullName()}.
   */
  public static final String BUFFER_LEASE_CONSTRUCTOR =
      "io.reactorvirtio.virtio.BufferLease.<init>(io.reactorvirtio.virtio.internal.queue.LeaseOwner, int)";

  /**
   * Ring core: no dependency on Reactor, Spring, Micrometer or logging (STYLE convention 3: the
   * core returns outcome codes, the reactive edge above it does the rest).
   */
  public static final ArchRule RING_CORE_IS_FRAMEWORK_FREE = noClasses()
      .that().resideInAnyPackage(RING_CORE_PACKAGES.toArray(String[]::new))
      .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORK_PACKAGES.toArray(String[]::new))
      .because("the ring core is plain, single-threaded Java (STYLE.md: ring core imports no Reactor,"
          + " Spring, Micrometer or logging)")
      .allowEmptyShould(true);

  /**
   * Ring core: no {@code synchronized} methods. ArchUnit sees method modifiers but not {@code
   * monitorenter}, so {@code synchronized (x) { ... }} blocks are not caught here (review them).
   */
  public static final ArchRule RING_CORE_HAS_NO_SYNCHRONIZED_METHODS = noMethods()
      .that().areDeclaredInClassesThat().resideInAnyPackage(RING_CORE_PACKAGES.toArray(String[]::new))
      .should().haveModifier(JavaModifier.SYNCHRONIZED)
      .because("ring code is single-threaded by contract and runs on the poller, which must never block")
      .allowEmptyShould(true);

  /** Ring core: never sleeps ({@code Thread.sleep}, {@code TimeUnit.sleep}). */
  public static final ArchRule RING_CORE_DOES_NOT_SLEEP = noClasses()
      .that().resideInAnyPackage(RING_CORE_PACKAGES.toArray(String[]::new))
      .should().callMethodWhere(isSleep())
      .because("ring code runs on the poller thread; waiting is the poller's job (IdlePolicy)")
      .allowEmptyShould(true);

  /** {@code io.reactorvirtio.virtio.internal..} is used only by virtio itself, vhost, transports and benchmarks. */
  public static final ArchRule VIRTIO_INTERNALS_STAY_INSIDE = internalsUsedOnlyBy(
      "io.reactorvirtio.virtio.internal..", VIRTIO_INTERNAL_CLIENTS);

  /** {@code io.reactorvirtio.vhost.internal..} is used only by vhost itself, transports and benchmarks. */
  public static final ArchRule VHOST_INTERNALS_STAY_INSIDE = internalsUsedOnlyBy(
      "io.reactorvirtio.vhost.internal..", VHOST_INTERNAL_CLIENTS);

  /**
   * Public and protected members (and supertypes) of public classes in non-internal packages
   * mention no internal type, except {@link #BUFFER_LEASE_CONSTRUCTOR}.
   */
  public static final ArchRule PUBLIC_API_EXPOSES_NO_INTERNAL_TYPES =
      publicApiExposesNoInternalTypes(BUFFER_LEASE_CONSTRUCTOR);

  /**
   * A class-to-class dependency a cycle rule ignores: {@code origin} depends on {@code target}
   * (fully qualified class names).
   */
  public record Edge(String origin, String target) {}

  /**
   * The back edge {@link #BUFFER_LEASE_CONSTRUCTOR} allows: {@code virtio.BufferLease ->
   * virtio.internal.queue.LeaseOwner}. With it, {@code virtio <-> virtio.internal.queue} is a
   * cycle (the queues create and take back leases; the lease calls its owner back), and so is
   * {@code virtio -> internal.queue -> internal.ring -> virtio} (the ring reports the public {@code
   * RingViolation}). Making {@code LeaseOwner} public API, or {@code BufferLease} an abstract class
   * implemented in {@code internal.queue}, would remove the exception.
   */
  public static final Edge BUFFER_LEASE_OWNER_EDGE =
      new Edge("io.reactorvirtio.virtio.BufferLease", "io.reactorvirtio.virtio.internal.queue.LeaseOwner");

  /**
   * No package cycles: every package under {@code io.reactorvirtio} is its own slice (Spring Boot's
   * {@code slices().matching("(**)")}, restricted to our root), ignoring only {@link
   * #BUFFER_LEASE_OWNER_EDGE}.
   *
   * <p>Why one slice per package and not one per {@code io.reactorvirtio.(*).(*)}: the latter lumps
   * all of {@code virtio.internal} into one slice and leaves the API packages {@code
   * io.reactorvirtio.virtio} and {@code io.reactorvirtio.vhost} out of every slice. It reports a
   * cycle {@code virtio.internal <-> virtio.memory} that no package has ({@code internal.ring ->
   * memory.Window}, {@code memory.SharedRegion -> internal.nativeio.Mmap}), and it cannot see a
   * public factory that instantiates its internal implementation, which then depends on the API
   * package again. One slice per package reports exactly the package cycles there are.
   */
  public static final ArchRule NO_PACKAGE_CYCLES = noPackageCycles(BUFFER_LEASE_OWNER_EDGE);

  /**
   * {@code *Layout} classes are descriptors (Agrona's {@code RingBufferDescriptor}): final, a
   * private constructor, and nothing but static fields and methods.
   */
  public static final ArchRule LAYOUT_CLASSES_ARE_STATIC_DESCRIPTORS = classes()
      .that().haveSimpleNameEndingWith("Layout")
      .should().haveModifier(JavaModifier.FINAL)
      .andShould().haveOnlyPrivateConstructors()
      .andShould(haveOnlyStaticMembers())
      .because("STYLE.md: one *Layout class per shared structure, final, static-only, private constructor")
      .allowEmptyShould(true);

  /**
   * Tests never wait without a bound: no {@code StepVerifier} {@code verifyComplete()}, {@code
   * verifyError*(..)}, {@code verify()} or {@code verifyThenAssertThat()} (Spring Boot's rule);
   * use {@code expectComplete().verify(Duration)} and friends.
   */
  public static final ArchRule STEP_VERIFIER_ALWAYS_HAS_A_TIMEOUT = noClasses()
      .should().callMethodWhere(isUnboundedStepVerifierCall())
      .because("it can block indefinitely; end with verify(Duration), e.g. expectComplete().verify(Duration)")
      .allowEmptyShould(true);

  /** Tests do not change StepVerifier's global default timeout (Spring Boot's rule). */
  public static final ArchRule STEP_VERIFIER_DEFAULT_TIMEOUT_IS_NOT_CHANGED = noClasses()
      .should().callMethodWhere(isStepVerifierDefaultTimeoutChange())
      .because("a global default leaks between tests; pass a Duration to verify(Duration) instead")
      .allowEmptyShould(true);

  private ArchitectureRules() {}

  /** Rules to check against a module's production classes (imported without tests). */
  public static List<ArchRule> productionRules() {
    return List.of(
        RING_CORE_IS_FRAMEWORK_FREE,
        RING_CORE_HAS_NO_SYNCHRONIZED_METHODS,
        RING_CORE_DOES_NOT_SLEEP,
        PUBLIC_API_EXPOSES_NO_INTERNAL_TYPES,
        NO_PACKAGE_CYCLES,
        LAYOUT_CLASSES_ARE_STATIC_DESCRIPTORS);
  }

  /** Rules to check against a module's production and test classes together. */
  public static List<ArchRule> allCodeRules() {
    return List.of(
        VIRTIO_INTERNALS_STAY_INSIDE,
        VHOST_INTERNALS_STAY_INSIDE,
        STEP_VERIFIER_ALWAYS_HAS_A_TIMEOUT,
        STEP_VERIFIER_DEFAULT_TIMEOUT_IS_NOT_CHANGED);
  }

  /**
   * No package cycles under {@code io.reactorvirtio}, one slice per package, ignoring the given
   * class-to-class dependencies (each one a documented exception or a reported, not yet fixed,
   * violation).
   */
  public static ArchRule noPackageCycles(Edge... ignored) {
    SliceRule rule = slices().matching(ROOT_PACKAGE + ".(**)").should().beFreeOfCycles();
    StringBuilder because = new StringBuilder("packages form layers");
    for (Edge e : ignored) {
      rule = rule.ignoreDependency(e.origin(), e.target());
      because.append(because.indexOf("ignoring") < 0 ? " (ignoring " : ", ").append(simpleName(e.origin()))
          .append(" -> ").append(simpleName(e.target()));
    }
    if (ignored.length > 0) {
      because.append(")");
    }
    return rule.because(because.toString()).allowEmptyShould(true);
  }

  private static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }

  /**
   * Classes outside {@code clients} do not depend on {@code internalPackage}. Phrased from the
   * depending side, so a module that does not contain the internal classes (a transport, rpmsg,
   * the starter) is still checked when it reaches into them.
   */
  public static ArchRule internalsUsedOnlyBy(String internalPackage, List<String> clients) {
    return noClasses()
        .that().resideOutsideOfPackages(clients.toArray(String[]::new))
        .should().dependOnClassesThat().resideInAPackage(internalPackage)
        .because(internalPackage + " is internal: only " + clients + " may use it (no JPMS exports here)")
        .allowEmptyShould(true);
  }

  /**
   * Public classes outside {@code ..internal..} packages (and whose enclosing classes are public)
   * expose no {@code io.reactorvirtio..internal..} type through a public or protected field type,
   * method or constructor signature (return, parameters, throws, type-parameter bounds, generic
   * arguments included), or through a supertype.
   *
   * @param allowedCodeUnits {@link JavaCodeUnit#getFullName()}s of deliberate exceptions
   */
  public static ArchRule publicApiExposesNoInternalTypes(String... allowedCodeUnits) {
    Set<String> allowed = Set.of(allowedCodeUnits);
    return classes()
        .that(arePublicApiClasses())
        .should(exposeNoInternalTypes(allowed))
        .because("STYLE.md: public types expose values, never internals; internal types may change at will")
        .allowEmptyShould(true);
  }

  // ---------------------------------------------------------------------------------------------
  // Predicates and conditions.

  static boolean isInternalPackage(String packageName) {
    return (packageName.equals(ROOT_PACKAGE) || packageName.startsWith(ROOT_PACKAGE + "."))
        && (packageName.contains(".internal.") || packageName.endsWith(".internal"));
  }

  private static DescribedPredicate<JavaClass> arePublicApiClasses() {
    return DescribedPredicate.describe("are public classes in non-internal " + ROOT_PACKAGE + " packages", c -> {
      String pkg = c.getPackageName();
      if (!(pkg.equals(ROOT_PACKAGE) || pkg.startsWith(ROOT_PACKAGE + ".")) || isInternalPackage(pkg)) {
        return false;
      }
      if (c.isAnonymousClass() || c.isLocalClass()) {
        return false;
      }
      for (Optional<JavaClass> k = Optional.of(c); k.isPresent(); k = k.get().getEnclosingClass()) {
        if (!k.get().getModifiers().contains(JavaModifier.PUBLIC)) {
          return false;
        }
      }
      return true;
    });
  }

  private static boolean isVisibleApi(JavaMember m) {
    Set<JavaModifier> mods = m.getModifiers();
    return (mods.contains(JavaModifier.PUBLIC) || mods.contains(JavaModifier.PROTECTED))
        && !mods.contains(JavaModifier.SYNTHETIC) && !mods.contains(JavaModifier.BRIDGE);
  }

  private static ArchCondition<JavaClass> exposeNoInternalTypes(Set<String> allowed) {
    return new ArchCondition<>("expose no internal types in public signatures") {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        Set<JavaClass> supertypes = new LinkedHashSet<>();
        c.getSuperclass().ifPresent(s -> supertypes.addAll(s.getAllInvolvedRawTypes()));
        c.getInterfaces().forEach(i -> supertypes.addAll(i.getAllInvolvedRawTypes()));
        report(events, c, c.getName() + " extends/implements", supertypes);
        for (JavaField f : c.getFields()) {
          if (isVisibleApi(f)) {
            report(events, c, "field " + f.getFullName(), f.getType().getAllInvolvedRawTypes());
          }
        }
        for (JavaCodeUnit u : c.getCodeUnits()) {
          if (!isVisibleApi(u) || allowed.contains(u.getFullName())) {
            continue;
          }
          Set<JavaClass> involved = new LinkedHashSet<>();
          if (u instanceof JavaMethod) {
            involved.addAll(u.getReturnType().getAllInvolvedRawTypes());
          }
          for (JavaType p : u.getParameterTypes()) {
            involved.addAll(p.getAllInvolvedRawTypes());
          }
          for (ThrowsDeclaration<?> t : u.getThrowsClause()) {
            involved.add(t.getRawType());
          }
          for (JavaTypeVariable<?> v : u.getTypeParameters()) {
            for (JavaType b : v.getUpperBounds()) {
              involved.addAll(b.getAllInvolvedRawTypes());
            }
          }
          report(events, c, u.getFullName(), involved);
        }
      }

      private void report(ConditionEvents events, JavaClass owner, String where, Set<JavaClass> types) {
        for (JavaClass t : types) {
          if (isInternalPackage(t.getPackageName())) {
            events.add(SimpleConditionEvent.violated(owner,
                where + " exposes internal type " + t.getName()));
          }
        }
      }
    };
  }

  private static ArchCondition<JavaClass> haveOnlyStaticMembers() {
    return new ArchCondition<>("have only static fields and methods") {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        for (JavaField f : c.getFields()) {
          if (!f.getModifiers().contains(JavaModifier.STATIC)) {
            events.add(SimpleConditionEvent.violated(c, "instance field " + f.getFullName()));
          }
        }
        for (JavaMethod m : c.getMethods()) {
          if (!m.getModifiers().contains(JavaModifier.STATIC)) {
            events.add(SimpleConditionEvent.violated(c, "instance method " + m.getFullName()));
          }
        }
      }
    };
  }

  private static DescribedPredicate<JavaMethodCall> isSleep() {
    return DescribedPredicate.describe("Thread.sleep(..) or TimeUnit.sleep(..)", call -> {
      String owner = call.getTargetOwner().getName();
      return call.getName().equals("sleep")
          && (owner.equals(Thread.class.getName()) || owner.equals(java.util.concurrent.TimeUnit.class.getName()));
    });
  }

  private static final String STEP_VERIFIER = "reactor.test.StepVerifier";
  private static final String LAST_STEP = "reactor.test.StepVerifier$LastStep";

  /**
   * The call's static receiver type is the step type the chain reached ({@code FirstStep}, {@code
   * Step}, ...), not the interface that declares the method, so match by assignability and by
   * name prefix (the latter in case the hierarchy was not resolved from the class path).
   */
  private static boolean ownerIs(JavaMethodCall call, String type) {
    JavaClass owner = call.getTargetOwner();
    return owner.getName().equals(type)
        || owner.getName().startsWith(STEP_VERIFIER + "$")
        || owner.isAssignableTo(type);
  }

  private static DescribedPredicate<JavaMethodCall> isUnboundedStepVerifierCall() {
    return DescribedPredicate.describe(
        "StepVerifier verifyComplete(), verifyError*(..), verify() or verifyThenAssertThat() (no Duration)", call -> {
          String name = call.getName();
          int params = call.getTarget().getRawParameterTypes().size();
          if (name.equals("verifyComplete") || name.startsWith("verifyError")) {
            return ownerIs(call, LAST_STEP);
          }
          if ((name.equals("verify") || name.equals("verifyThenAssertThat")) && params == 0) {
            return ownerIs(call, STEP_VERIFIER);
          }
          return false;
        });
  }

  private static DescribedPredicate<JavaMethodCall> isStepVerifierDefaultTimeoutChange() {
    return DescribedPredicate.describe("StepVerifier.setDefaultTimeout(..)",
        call -> call.getName().equals("setDefaultTimeout") && call.getTargetOwner().getName().equals(STEP_VERIFIER));
  }
}
