package org.servicetokens.keycloak;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.timer.TimerProvider;

/**
 * The provider's layering, checked on its compiled classes (tests left out). From the ground up:
 * <pre>
 * model          the token as stored (attributes, settings, secrets, health, row lock) and the names it carries
 * revocation     pushes to applications (outbox, sender, logout-token notice, owed-push job)    → model
 * service        the lifecycle (create, rotate, extend, update, delete, repair) and the
 *                follow-ups of changes made through Keycloak's own client APIs               → revocation, model
 * jobs           scheduled tasks, last-used tracking                                         → service, model
 * authenticator  the client authenticator, its decision, credential parsing, form filter    → jobs, model
 * mapper         the claims mapper                                                           → model
 * startup        the one place of start-up work                          → authenticator, jobs, revocation, service
 * rest           the admin API and the guard over Keycloak's client APIs → startup, service, jobs, model
 * </pre>
 * See docs/architecture.md.
 */
class ArchitectureTest {

    private static final String ROOT = "org.servicetokens.keycloak";
    private static JavaClasses provider;

    @BeforeAll
    static void importProvider() {
        provider = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(provider);
    }

    /** The model is the ground floor: it may use Keycloak and the JDK, and nothing of ours outside it. */
    @Test
    void modelImportsNothingAboveIt() {
        classes()
                .that()
                .resideInAPackage(ROOT + ".model..")
                .should()
                .onlyDependOnClassesThat(resideOutsideOfPackage(ROOT + "..").or(resideInAPackage(ROOT + ".model..")))
                .check(provider);
    }

    /**
     * The REST layer changes tokens only through the lifecycle service: no JPA, no Hibernate, no Keycloak JPA
     * adapters, and no push outbox or sender of its own.
     */
    @Test
    void restReachesStorageAndPushesOnlyThroughTheService() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".rest..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "jakarta.persistence..",
                        "org.hibernate..",
                        "org.keycloak.connections.jpa..",
                        "org.keycloak.models.jpa..",
                        ROOT + ".revocation..")
                .check(provider);
    }

    /** Start-up work has one place: only {@code startup} registers provider-event listeners and schedules timer tasks. */
    @Test
    void onlyStartupRegistersListenersAndSchedulesJobs() {
        noClasses()
                .that()
                .resideOutsideOfPackage(ROOT + ".startup..")
                .should()
                .callMethodWhere(ownedByAndNamed(KeycloakSessionFactory.class, "register"))
                .orShould()
                .callMethodWhere(ownedByAndNamed(TimerProvider.class, "schedule"))
                .check(provider);
        classes()
                .that()
                .resideInAPackage(ROOT + ".startup..")
                .should()
                .onlyHaveDependentClassesThat()
                .resideInAnyPackage(ROOT + ".startup..", ROOT + ".rest..")
                .check(provider);
    }

    /** The authenticator's decision is a pure function of what it is given: no session, no clock, no JAX-RS. */
    @Test
    void authenticationDecisionIsPure() {
        String decision = ROOT + ".authenticator.AuthenticationDecision";
        noClasses()
                .that()
                .haveFullyQualifiedName(decision)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.keycloak.models..", "org.keycloak.services..", "jakarta..")
                .orShould()
                .callMethod(Instant.class, "now")
                .check(provider);
    }

    /** A call to a method of {@code owner} (or a subtype) whose name starts with {@code prefix}. */
    private static DescribedPredicate<JavaMethodCall> ownedByAndNamed(Class<?> owner, String prefix) {
        return DescribedPredicate.describe(
                "a call to " + owner.getSimpleName() + "." + prefix + "*",
                call -> call.getTargetOwner().isAssignableTo(owner)
                        && call.getName().startsWith(prefix));
    }
}
