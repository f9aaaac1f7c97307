package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.support.FakeKeycloak;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.TestSecrets;

/**
 * A hung Keycloak (issue 11, kind 15): it accepts connections and never answers. With a 5 s response timeout, new
 * exchanges must still be answered 503 + Retry-After about one probe timeout after they need Keycloak (all of them
 * at once, whatever their credential), at once after the probe noticed; cached and verified tokens keep working;
 * exchanges resume by themselves when Keycloak answers again. The real-Keycloak version is it/KeycloakOutageIT.
 */
class KeycloakHangTest {

    static Harness h;

    @BeforeAll
    static void start() {
        h = new Harness(c -> {
            c.keycloak.timeout = Duration.ofSeconds(5);
            c.keycloak.probeInterval = Duration.ofSeconds(2);
            c.keycloak.probeTimeout = Duration.ofMillis(500);
        });
    }

    @AfterAll
    static void stop() {
        h.keycloak.frozen = false;
        h.close();
    }

    private static String[] creds(String id) {
        return new String[] {"KC-Access-Client-Id", id, "KC-Access-Client-Secret", TestSecrets.of(id)};
    }

    private static void bot(String id) {
        h.keycloak.clients.put(id, new FakeKeycloak.Client(TestSecrets.of(id), "sub-" + id, id, List.of("demo-app")));
    }

    @Test
    void newExchangesFailFastTogetherCachedOnesKeepWorkingAndServiceResumes() {
        bot("warm");
        assertEquals(200, h.http.get("/w", creds("warm")).status());
        String jwt = h.validToken();
        for (int i = 0; i < 12; i++) {
            bot("cold-" + i);
        }
        Harness.sleep(300); // a periodic probe answered recently: only the exchanges' own suspicion can notice

        h.keycloak.frozen = true;
        long t0 = System.nanoTime();
        List<Future<Http.Response>> before = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            before.add(h.http.sendAsync(HttpMethod.GET, "/c", null, creds("cold-" + i)));
        }
        long slowest = 0;
        for (Future<Http.Response> f : before) {
            Http.Response r = Http.await(f);
            slowest = Math.max(slowest, (System.nanoTime() - t0) / 1_000_000);
            assertEquals(503, r.status(), r.body());
            assertEquals("keycloak_unavailable", new JsonObject(r.body()).getString("reason"));
            assertTrue(Integer.parseInt(r.header("Retry-After")) >= 1);
        }
        assertTrue(
                slowest < 1500,
                "10 new exchanges, 10 credentials, answered together within ~one probe timeout: " + slowest
                        + " ms (the response timeout is 5 s)");

        long t1 = System.nanoTime();
        Http.Response known = h.http.get("/c", creds("cold-10"));
        long knownMs = (System.nanoTime() - t1) / 1_000_000;
        assertEquals(503, known.status());
        assertTrue(knownMs < 200, "once the probe noticed, at once: " + knownMs + " ms");
        for (int i = 0; i < 15; i++) {
            Http.Response again = h.http.get("/c", creds("cold-11"));
            assertEquals(
                    503,
                    again.status(),
                    "retrying through an outage costs no rate-limit tokens (10 a minute per client): " + again.body());
        }
        for (int i = 0; i < 20; i++) {
            assertEquals(200, h.http.get("/w", creds("warm")).status(), "cached exchange still served");
            assertEquals(200, h.http.get("/j", "Authorization", "Bearer " + jwt).status(), "verified JWT still served");
        }
        assertEquals(0.0, Harness.metric(h.management(), "sidecar_keycloak_reachable"));

        h.keycloak.frozen = false;
        long back = System.nanoTime();
        int status;
        do {
            Harness.sleep(100);
            status = h.http.get("/c", creds("cold-11")).status();
            assertTrue(System.nanoTime() - back < 5_000_000_000L, "exchanges resume within 5 s of Keycloak's return");
        } while (status != 200);
        System.out.println("Hung Keycloak (fake realm): first new exchanges answered 503 after " + slowest
                + " ms (response timeout 5 s), then " + knownMs + " ms; resumed "
                + (System.nanoTime() - back) / 1_000_000
                + " ms after its return");
    }
}
