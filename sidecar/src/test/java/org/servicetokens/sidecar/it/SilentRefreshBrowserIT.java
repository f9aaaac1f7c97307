package org.servicetokens.sidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.openqa.selenium.By;
import org.servicetokens.keycloak.it.Http;

/**
 * The silent refresh, in real time (this test waits ~2.5 minutes on purpose, the only one that does): with
 * one-minute access tokens the browser keeps working past two lifespans with a single login, while bursts of
 * parallel requests around each refresh neither fail nor multiply the refreshes (single flight).
 */
@KeycloakIntegrationTest(config = SidecarKeycloakConfig.class)
class SilentRefreshBrowserIT extends SidecarITBase {

    private static final int LIFESPAN_SECONDS = 60;
    private static final int ROUNDS = 15;
    private static final int BURST = 10;

    @Test
    void aOneMinuteTokenRealmKeepsTheBrowserSignedInPastTwoLifespans() throws Exception {
        RealmRepresentation settings = realm.admin().toRepresentation();
        settings.setAccessTokenLifespan(LIFESPAN_SECONDS);
        realm.admin().update(settings);
        long started = System.currentTimeMillis();

        try (HtmlEchoApp app = new HtmlEchoApp();
                SidecarProcess sidecar = startSidecar(app.url(), Map.of());
                LoginBrowser browser = new LoginBrowser()) {
            DemoAppClient.pointAt(realm, sidecar);
            String base = sidecar.browserUrl();
            browser.driver.get(base + "/round/0");
            browser.submitKeycloakLogin("demo", "demo");
            browser.waitFor(By.id("app"));
            Instant loggedIn = Instant.now();

            for (int round = 1; round <= ROUNDS; round++) {
                Thread.sleep(10_000);
                browser.driver.get(base + "/round/" + round);
                browser.waitUntil(d -> !d.findElements(By.id("app")).isEmpty()
                                || !d.findElements(By.id("kc-login")).isEmpty()
                        ? true
                        : null);
                assertFalse(
                        browser.showsKeycloakLogin(),
                        "round " + round + ": asked to log in again after "
                                + Duration.between(loggedIn, Instant.now()).toSeconds() + " s");
                Object statuses = browser.js("""
                        const done = arguments[arguments.length - 1];
                        Promise.all([...Array(arguments[0]).keys()].map(i =>
                            fetch('/api/burst/' + i, {headers: {'Accept': 'application/json'}}).then(r => r.status)))
                          .then(all => done(all.join(',')));
                        """, BURST);
                assertEquals(
                        String.join(",", java.util.Collections.nCopies(BURST, "200")),
                        statuses,
                        "round " + round + ": parallel requests during a refresh all succeed");
            }
            long signedInSeconds = Duration.between(loggedIn, Instant.now()).toSeconds();
            assertTrue(signedInSeconds > 2 * LIFESPAN_SECONDS, "kept working for " + signedInSeconds + " s");

            Set<String> tokens = new LinkedHashSet<>(app.assertions());
            for (String token : tokens) {
                var claims = Http.jwtPayload(token);
                assertEquals(
                        LIFESPAN_SECONDS,
                        claims.get("exp").asLong() - claims.get("iat").asLong(),
                        "one-minute tokens");
            }
            String userId = realm.admin().users().search("demo", true).get(0).getId();
            long logins = events("LOGIN", userId, started);
            long refreshes = events("REFRESH_TOKEN", userId, started);
            System.out.println(
                    "Signed in for " + signedInSeconds + " s with " + logins + " login, " + refreshes + " refreshes, "
                            + tokens.size() + " distinct access tokens, " + ROUNDS * (BURST + 1) + " requests");
            assertEquals(1, logins, "one password entry");
            assertTrue(
                    tokens.size() >= 3,
                    "the app saw the first token and at least two refreshed ones: " + tokens.size());
            // A refresh every ~30 s over 150 s: about 5. Without single flight every burst would add up to ten more.
            assertTrue(refreshes >= 2 && refreshes <= 8, "refreshes at Keycloak: " + refreshes);
        }
    }

    private long events(String type, String userId, long since) {
        List<EventRepresentation> events =
                realm.admin().getEvents(List.of(type), "demo-app", userId, null, null, null, 0, 500);
        return events.stream().filter(e -> e.getTime() >= since).count();
    }
}
