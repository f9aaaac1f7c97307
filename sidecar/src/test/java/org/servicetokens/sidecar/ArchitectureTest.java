package org.servicetokens.sidecar;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.endpoint.ForwardAuthEndpoint;
import org.servicetokens.sidecar.endpoint.ForwardedRequest;
import org.servicetokens.sidecar.pipeline.AccessDecision;
import org.servicetokens.sidecar.pipeline.RequestPipeline;

/**
 * The sidecar's layering, as rules the build checks (docs/architecture.md draws the same map). The root package
 * ({@code Sidecar}, {@code SidecarVerticle}, {@code Main}) is where the parts are wired together, so it may see
 * every package; no package may see it.
 */
class ArchitectureTest {

    private static final String SIDECAR = "org.servicetokens.sidecar";
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(SIDECAR);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching(SIDECAR + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void nothingDependsOnTheWiring() {
        noClasses()
                .that()
                .resideOutsideOfPackage(SIDECAR)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(SIDECAR)
                .check(classes);
    }

    @Test
    void utilIsTheGroundFloor() {
        reachesOnly("util")
                .because("util holds pure helpers every package may use")
                .check(classes);
    }

    @Test
    void configImportsNothingAboveIt() {
        // tls (the TLS settings' types and their checks, importing no other sidecar package) sits beside util.
        reachesOnly("config", "util", "tls")
                .because("config is read by every package; checks owned by packages above it come in as ConfigChecks")
                .check(classes);
    }

    @Test
    void onlyThePipelineReachesTheUpstream() {
        noClasses()
                .that()
                .resideOutsideOfPackages(SIDECAR + ".pipeline..", SIDECAR + ".upstream..")
                .and()
                .resideOutsideOfPackage(SIDECAR)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(SIDECAR + ".upstream..")
                .because("nothing but an authenticated, authorised request may be forwarded to the app")
                .check(classes);
    }

    @Test
    void thePipelineAuthenticatesOnlyThroughTheAuthenticators() {
        noClasses()
                .that()
                .belongToAnyOf(RequestPipeline.class, AccessDecision.class)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        SIDECAR + ".keycloak..",
                        SIDECAR + ".grant..",
                        SIDECAR + ".revocation..",
                        SIDECAR + ".jwt..",
                        SIDECAR + ".session..")
                .check(classes);
    }

    @Test
    void theJudgementDoesNotKnowTheUpstream() {
        noClasses()
                .that()
                .belongToAnyOf(AccessDecision.class)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(SIDECAR + ".upstream..")
                .because("the forward-auth endpoints share the judgement and must never forward")
                .check(classes);
    }

    @Test
    void forwardAuthIsASecondFrontDoorToTheSameJudgement() {
        // Not a copy of the pipeline: the forward-auth endpoint reaches authentication, credentials and policy only
        // through AccessDecision, and never the upstream or the proxy pipeline.
        noClasses()
                .that()
                .belongToAnyOf(ForwardAuthEndpoint.class, ForwardedRequest.class)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        SIDECAR + ".upstream..",
                        SIDECAR + ".authentication..",
                        SIDECAR + ".credentials..",
                        SIDECAR + ".policy..",
                        SIDECAR + ".keycloak..",
                        SIDECAR + ".jwt..",
                        SIDECAR + ".session..",
                        SIDECAR + ".grant..")
                .orShould()
                .dependOnClassesThat()
                .belongToAnyOf(RequestPipeline.class)
                .check(classes);
    }

    @Test
    void authenticationDoesNotKnowAboutProxying() {
        noClasses()
                .that()
                .resideInAPackage(SIDECAR + ".authentication..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        SIDECAR + ".pipeline..",
                        SIDECAR + ".http..",
                        SIDECAR + ".upstream..",
                        SIDECAR + ".endpoint..",
                        SIDECAR + ".login..")
                .because("the same authenticators serve the proxy and the sidecar's own endpoints")
                .check(classes);
    }

    @Test
    void theKeycloakClientIsBelowItsUsers() {
        reachesOnly("keycloak", "config", "util", "metrics", "identity", "tls").check(classes);
    }

    /** Classes of {@code pkg} that depend on no sidecar package but {@code pkg} and {@code allowed}. */
    private static ArchRule reachesOnly(String pkg, String... allowed) {
        String[] own = new String[allowed.length + 1];
        own[0] = SIDECAR + "." + pkg + "..";
        for (int i = 0; i < allowed.length; i++) {
            own[i + 1] = SIDECAR + "." + allowed[i] + "..";
        }
        return noClasses()
                .that()
                .resideInAPackage(own[0])
                .should()
                .dependOnClassesThat(resideInAPackage(SIDECAR + "..").and(not(resideInAnyPackage(own))));
    }
}
