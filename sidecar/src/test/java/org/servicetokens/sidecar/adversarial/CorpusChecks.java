package org.servicetokens.sidecar.adversarial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.servicetokens.sidecar.support.RawHttp;
import org.servicetokens.sidecar.support.TestUpstream;

/**
 * A case's expectations (see the corpus README.md), plus what holds for every case: no 5xx unless expected, and
 * nothing smuggled ({@code smuggled} in a URI), split (CR, LF or NUL in a value), spoofed ({@code root} as the
 * subject) or taken from the client's Host (X-Forwarded-Host other than the configured public URL's) ever
 * reaches the upstream. Failure messages name the case and what differed, never a credential.
 */
final class CorpusChecks {

    static final String PUBLIC_HOST = "app.example.com";

    private CorpusChecks() {}

    static void check(
            Corpus.Case c,
            List<RawHttp.Answer> responses,
            CorpusFlows.Login login,
            TestUpstream upstream,
            int keycloakCalls,
            long millis,
            boolean endpoint) {
        String id = c.id();
        JsonNode exp = c.expect();
        RawHttp.Answer last = responses.get(responses.size() - 1);
        Set<Integer> allowed = statuses(exp.get("status"));
        String reason = AdversarialCorpusTest.reason(last);
        assertTrue(
                allowed.contains(last.status()),
                id + ": expected status " + allowed + ", got " + name(last.status())
                        + (reason == null ? "" : " (" + reason + ")"));
        if (exp.has("reason")) {
            assertEquals(exp.get("reason").asText(), reason, id + ": reason");
        }
        interim(c, responses);
        List<TestUpstream.Seen> seen = new ArrayList<>(upstream.seen);
        invariants(id, seen);
        // By default an answered request reached the app once, and a refused one never; the sidecar's own endpoints
        // never.
        String mode = exp.path("upstream")
                .asText(
                        !endpoint && (last.status() == 101 || last.status() >= 200 && last.status() < 300)
                                ? "once"
                                : "never");
        switch (mode) {
            case "never" -> assertEquals(0, seen.size(), id + ": the upstream must not be reached, saw " + uris(seen));
            case "once" ->
                assertEquals(1, seen.size(), id + ": the upstream must see exactly this request, saw " + uris(seen));
            case "any" -> assertTrue(seen.size() <= 1, id + ": the upstream saw more than one request: " + uris(seen));
            default -> throw new IllegalArgumentException(id + ": upstream must be never, once or any");
        }
        if (!seen.isEmpty() && exp.has("seen")) {
            seen(id, exp.get("seen"), seen.get(seen.size() - 1));
        }
        if (exp.has("response")) {
            response(id, exp.get("response"), last);
        }
        if (exp.has("keycloakCalls")) {
            assertEquals(exp.get("keycloakCalls").asInt(), keycloakCalls, id + ": calls at Keycloak's token endpoint");
        }
        if (exp.has("maxMillis")) {
            assertTrue(millis <= exp.get("maxMillis").asLong(), id + ": answered in " + millis + " ms");
        }
        if (exp.has("returnTo") || c.node().path("flow").asText().equals("login")) {
            returnUrl(id, exp, login);
        }
    }

    /** {@code status: 400} or {@code status: [400, 431, closed]}; {@code closed} = no answer, connection closed. */
    static Set<Integer> statuses(JsonNode node) {
        Set<Integer> out = new TreeSet<>();
        for (JsonNode n : node.isArray() ? node : List.of(node)) {
            out.add(
                    n.isInt()
                            ? n.asInt()
                            : switch (n.asText()) {
                                case "closed" -> RawHttp.CLOSED;
                                case "not-http1" -> RawHttp.NOT_HTTP1;
                                default -> throw new IllegalArgumentException("bad status " + n);
                            });
        }
        return out;
    }

    private static String name(int status) {
        return status == RawHttp.CLOSED
                ? "closed"
                : status == RawHttp.NOT_HTTP1 ? "not-http1 (another protocol)" : "" + status;
    }

    /** {@code interim: none}: no 100 Continue came before the final answer; {@code interim: 100}: one did. */
    private static void interim(Corpus.Case c, List<RawHttp.Answer> responses) {
        String want = c.expect().path("interim").asText("");
        boolean got100 = responses.size() > 1 && responses.get(0).status() == 100;
        if (want.equals("none")) {
            assertTrue(!got100, c.id() + ": 100 Continue was sent before the request was allowed");
        } else if (want.equals("100")) {
            assertTrue(got100, c.id() + ": no 100 Continue for an allowed request");
        }
    }

    private static void invariants(String id, List<TestUpstream.Seen> seen) {
        for (TestUpstream.Seen s : seen) {
            assertTrue(
                    !s.uri().toLowerCase(Locale.ROOT).contains("smuggled"),
                    id + ": a smuggled request reached the upstream");
            for (Map.Entry<String, String> e : s.headers()) {
                String v = e.getValue();
                assertTrue(
                        v.indexOf('\r') < 0 && v.indexOf('\n') < 0 && v.indexOf('\0') < 0,
                        id + ": header " + e.getKey() + " reached the upstream with CR, LF or NUL in its value");
            }
            String host = s.headers().get("X-Forwarded-Host");
            assertTrue(
                    host == null || host.equals(PUBLIC_HOST),
                    id + ": X-Forwarded-Host is " + host + ", not the public URL's");
            assertTrue(
                    !"root".equals(s.headers().get("X-Auth-Subject")), id + ": a spoofed subject reached the upstream");
        }
    }

    private static void seen(String id, JsonNode want, TestUpstream.Seen got) {
        MultiMap headers = got.headers();
        if (want.has("method")) {
            assertEquals(want.get("method").asText(), got.method(), id + ": method seen upstream");
        }
        String uri = got.uri();
        if (want.has("uri")) {
            assertEquals(want.get("uri").asText(), uri, id + ": URI seen upstream");
        }
        if (want.has("path")) {
            int q = uri.indexOf('?');
            assertEquals(want.get("path").asText(), q < 0 ? uri : uri.substring(0, q), id + ": path seen upstream");
        }
        if (want.has("websocket")) {
            assertEquals(want.get("websocket").asBoolean(), got.webSocket(), id + ": WebSocket upgrade seen upstream");
        }
        for (JsonNode n : want.path("absent")) {
            assertNull(headers.get(n.asText()), id + ": header " + n.asText() + " must not reach the upstream");
        }
        for (JsonNode n : want.path("present")) {
            assertNotNull(headers.get(n.asText()), id + ": header " + n.asText() + " must reach the upstream");
        }
        want.path("equals")
                .fields()
                .forEachRemaining(e -> assertEquals(
                        e.getValue().asText(),
                        headers.get(e.getKey()),
                        id + ": header " + e.getKey() + " seen upstream"));
        want.path("elements").fields().forEachRemaining(e -> {
            Set<String> expected = new HashSet<>();
            e.getValue().forEach(n -> expected.add(n.asText()));
            String value = headers.get(e.getKey());
            Set<String> actual = value == null ? Set.of() : new HashSet<>(Arrays.asList(value.split(",", -1)));
            assertEquals(expected, actual, id + ": elements of " + e.getKey() + " seen upstream");
        });
        for (JsonNode n : want.path("noValue")) {
            for (Map.Entry<String, String> e : headers) {
                assertTrue(
                        !e.getValue().equals(n.asText()),
                        id + ": the spoofed value reached the upstream in " + e.getKey());
            }
        }
    }

    private static void response(String id, JsonNode want, RawHttp.Answer got) {
        for (JsonNode n : want.path("absent")) {
            assertNull(got.header(n.asText()), id + ": response header " + n.asText());
        }
        for (JsonNode n : want.path("present")) {
            assertNotNull(got.header(n.asText()), id + ": response header " + n.asText() + " missing");
        }
        want.path("equals")
                .fields()
                .forEachRemaining(e -> assertEquals(
                        e.getValue().asText(), got.header(e.getKey()), id + ": response header " + e.getKey()));
        want.path("contains").fields().forEachRemaining(e -> {
            String v = got.header(e.getKey());
            assertTrue(
                    v != null && v.contains(e.getValue().asText()),
                    id + ": response header " + e.getKey() + " should contain "
                            + e.getValue().asText() + ", is " + v);
        });
        want.path("notContains").fields().forEachRemaining(e -> {
            String v = got.header(e.getKey());
            assertTrue(
                    v == null || !v.contains(e.getValue().asText()),
                    id + ": response header " + e.getKey() + " must not contain "
                            + e.getValue().asText());
        });
    }

    /**
     * After a completed login the browser is sent back to a same-origin path: one leading {@code /}, never
     * {@code //} or {@code /\} (a browser reads both as another host); {@code returnTo} pins the exact path.
     */
    private static void returnUrl(String id, JsonNode exp, CorpusFlows.Login login) {
        assertNotNull(login, id + ": not a login flow");
        assertNotNull(login.callback(), id + ": the login did not go to the realm");
        assertEquals(302, login.callback().status(), id + ": callback answer");
        String location = login.callback().header("Location");
        assertNotNull(location, id + ": callback without Location");
        assertTrue(
                location.startsWith("/") && !location.startsWith("//") && !location.startsWith("/\\"),
                id + ": the browser is sent off-origin: " + location);
        for (char ch : location.toCharArray()) {
            assertTrue(
                    ch > 0x20 && ch < 0x7f && ch != '\\',
                    id + ": control, space, non-ASCII or backslash in " + location);
        }
        if (exp.has("returnTo")) {
            assertEquals(exp.get("returnTo").asText(), location, id + ": where the browser returns after login");
        }
    }

    private static List<String> uris(List<TestUpstream.Seen> seen) {
        return seen.stream().map(s -> s.method() + " " + s.uri()).toList();
    }
}
