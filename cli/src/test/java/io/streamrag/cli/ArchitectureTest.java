package io.streamrag.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Set;

/**
 * Rules of the module layout that the compiler does not check: an {@code internal} package belongs to the package
 * it sits in, and {@code core} knows nothing of Kafka or Flink. Checks the production classes of every module (this
 * module's test classpath holds them all); test code may reach into {@code internal} packages.
 */
@AnalyzeClasses(packages = "io.streamrag", importOptions = ArchitectureTest.ProductionClasses.class)
class ArchitectureTest {
    /**
     * Uses of another package's {@code internal} type that are allowed for now, as "origin -> target": the
     * collection-name rule is to have one public home, and this use goes with it.
     */
    private static final Set<String> ALLOWED = Set.of(
            "io.streamrag.ingest.internal.DocumentDecoder -> io.streamrag.core.store.internal.CollectionNames");

    @ArchTest
    static final ArchRule internalPackagesAreUsedOnlyByTheirOwners = classes()
            .that().resideInAPackage("io.streamrag..internal..")
            .should(beUsedOnlyFromTheirOwnerPackage());

    @ArchTest
    static final ArchRule coreKnowsNothingOfKafkaOrFlink = noClasses()
            .that().resideInAPackage("io.streamrag.core..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "org.apache.flink..");

    /** {@code a.b.internal.X} may be used from {@code a.b} and the packages below it only. */
    private static ArchCondition<JavaClass> beUsedOnlyFromTheirOwnerPackage() {
        return new ArchCondition<>("be used only from the package that their internal package belongs to") {
            @Override
            public void check(JavaClass target, ConditionEvents events) {
                String pkg = target.getPackageName();
                String owner = pkg.substring(0, pkg.indexOf(".internal"));
                for (Dependency dependency : target.getDirectDependenciesToSelf()) {
                    JavaClass origin = dependency.getOriginClass();
                    String from = origin.getPackageName();
                    boolean inside = from.equals(owner) || from.startsWith(owner + ".");
                    String pair = origin.getName() + " -> " + target.getName();
                    if (!inside && !ALLOWED.contains(pair.replaceAll("\\$[^ ]*", ""))) {
                        events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()
                                + ": an internal type of " + owner + " used from " + from));
                    }
                }
            }
        };
    }

    /** Production classes only: no test classes, no test jars of other modules. */
    static final class ProductionClasses implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("/test-classes/") && !location.contains("-tests.jar");
        }
    }
}
