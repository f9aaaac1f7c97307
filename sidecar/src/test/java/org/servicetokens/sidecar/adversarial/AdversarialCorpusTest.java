package org.servicetokens.sidecar.adversarial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.RawHttp;

/**
 * Runs every case of the adversarial corpus ({@code src/test/resources/adversarial/}, format in its README.md)
 * against one real sidecar between the fake realm and a recording upstream, over a raw socket so each request
 * goes out byte for byte as written. For every case: the status is one of those expected (5xx only where the case
 * expects it), the upstream was reached exactly as allowed and saw what it must, and nothing smuggled, spoofed or
 * split ever reached it. After the last case the sidecar must still serve an ordinary request.
 */
class AdversarialCorpusTest {

    /**
     * Issue 11 items with request-shaped members. 14 (slow clients) is {@link #halfRequestLinesDoNotStarveOtherClients};
     * 17 (cluster encryption) has none and is tested with the cluster.
     */
    private static final Set<Integer> ISSUE_KINDS = Set.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16);

    static Harness h;
    static Harness h2;
    static CorpusTokens tokens;
    static CorpusTokens h2Tokens;
    static CorpusFlows flows;
    static final CorpusConfig config = new CorpusConfig();
    private static final String RESERVED = "/.sidecar";
    static String session;

    @BeforeAll
    static void start() {
        JsonNode policy = Corpus.resource("policy.yaml");
        h = new Harness(
                CorpusFixtures::realm,
                c -> {
                    config.apply(policy.path("config"), c);
                    c.policy.rules = config.rules(policy.path("rules"));
                },
                true);
        tokens = new CorpusTokens(h.keycloak, h.key);
        flows = new CorpusFlows(h);
    }

    @AfterAll
    static void stop() {
        try {
            if (h2 != null) {
                h2.close();
            }
        } finally {
            h.close();
        }
    }

    @TestFactory
    Stream<DynamicNode> corpus() {
        List<DynamicNode> nodes = new ArrayList<>();
        nodes.add(DynamicTest.dynamicTest(
                "the corpus configuration is understood by this sidecar",
                () -> assertTrue(config.problems.isEmpty(), String.join("\n", config.problems))));
        Map<String, List<DynamicNode>> byFile = new LinkedHashMap<>();
        for (Corpus.Case c : Corpus.load()) {
            byFile.computeIfAbsent(c.file(), f -> new ArrayList<>())
                    .add(DynamicTest.dynamicTest(c.id() + ": " + c.description(), () -> run(c)));
        }
        byFile.forEach((file, tests) -> nodes.add(DynamicContainer.dynamicContainer(file, tests)));
        nodes.add(DynamicTest.dynamicTest("the sidecar still serves after the whole corpus", () -> {
            h.upstream.reset();
            String req = "GET /after-corpus HTTP/1.1\r\nHost: app.example.com\r\nAuthorization: Bearer "
                    + tokens.userToken() + "\r\n\r\n";
            List<RawHttp.Answer> r =
                    RawHttp.exchangeAll(h.sidecar.port(), req.getBytes(StandardCharsets.ISO_8859_1), false, 0);
            assertEquals(200, r.get(r.size() - 1).status());
            assertEquals(1, h.upstream.hits.get());
        }));
        return nodes.stream();
    }

    /** The corpus itself: big enough, ids unique, every case complete, every request-shaped kind of issue 11 present. */
    @Test
    void theCorpusCoversEveryKind() {
        List<Corpus.Case> cases = Corpus.load();
        assertTrue(cases.size() >= 300, "at least 300 cases, got " + cases.size());
        Set<String> ids = new HashSet<>();
        Set<Integer> issueKinds = new TreeSet<>();
        for (String file : Corpus.FILES) {
            int kind = Corpus.resource(file).path("issue").asInt(0);
            if (kind > 0) {
                issueKinds.add(kind);
            }
        }
        for (Corpus.Case c : cases) {
            assertTrue(ids.add(c.id()), "duplicate id " + c.id());
            assertTrue(
                    !c.id().isEmpty() && !c.kind().isEmpty() && !c.description().isEmpty(), "incomplete case " + c);
            assertTrue(c.expect().has("status"), c.id() + ": no expected status");
            assertTrue(c.node().has("raw") || c.node().has("request"), c.id() + ": no request");
        }
        assertTrue(issueKinds.containsAll(ISSUE_KINDS), "issue 11 kinds covered: " + issueKinds);
    }

    /**
     * Issue 11 #14, its request-shaped part: clients that send half a request line and stall must not keep others
     * from being served. (Timeouts and the connection cap themselves are tested with their settings.)
     */
    @Test
    void halfRequestLinesDoNotStarveOtherClients() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 30; i++) {
                Socket s = new Socket("127.0.0.1", h.sidecar.port());
                OutputStream out = s.getOutputStream();
                out.write("GET /public/x HT".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                stalled.add(s);
            }
            h.upstream.reset();
            long start = System.nanoTime();
            List<RawHttp.Answer> r = RawHttp.exchangeAll(
                    h.sidecar.port(),
                    ("GET /public/ok HTTP/1.1\r\nHost: app.example.com\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1),
                    false,
                    0);
            assertEquals(200, r.get(r.size() - 1).status());
            assertTrue(System.nanoTime() - start < 2_000_000_000L, "served within 2 s while 30 clients stall");
            assertEquals(
                    0,
                    h.upstream.seen.stream()
                            .filter(s -> s.uri().equals("/public/x"))
                            .count(),
                    "a half request line never reaches the upstream");
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    private void run(Corpus.Case c) throws Exception {
        JsonNode req = c.request();
        JsonNode exp = c.expect();
        String fixture = c.node().path("fixture").asText("");
        boolean http2 = req.path("protocol").asText().equals("h2");
        Harness target = http2 ? h2() : h;
        CorpusTokens tk = http2 ? h2Tokens : tokens;
        CorpusFixtures.before(target, fixture);
        target.upstream.reset();
        int keycloakCalls = target.keycloak.tokenCalls.get();
        long start = System.nanoTime();
        String[] logout = {null};
        Function<String, String> values = name -> value(c, name, logout[0], tk);
        List<RawHttp.Answer> responses;
        CorpusFlows.Login login = null;
        boolean endpoint = req.path("target").asText("").startsWith(RESERVED) || req.has("logout");
        try {
            if (http2) {
                responses = List.of(CorpusFlows.h2(target, req, s -> Corpus.expand(s, values)));
            } else {
                if (req.has("logout")) {
                    ObjectNode spec = req.get("logout").deepCopy();
                    if (!spec.has("base")) {
                        spec.put("base", "logout");
                    }
                    logout[0] = tk.jwt(spec, "logout-" + c.id());
                }
                byte[][] parts = request(c, values, logout[0], tk);
                byte[] bytes = concat(parts[0], parts[1]);
                String[] requestLine = new String(parts[0], StandardCharsets.ISO_8859_1).split("\r\n", 2)[0].split(" ");
                endpoint |= requestLine.length > 1 && requestLine[1].startsWith(RESERVED);
                String line = new String(parts[0], 0, Math.min(8, parts[0].length), StandardCharsets.ISO_8859_1);
                // Answers to HEAD, and 2xx answers to CONNECT, have no body whatever their headers say (RFC 9110
                // §6.4.1).
                boolean head = line.startsWith("HEAD ") || line.startsWith("CONNECT ");
                long settle = c.node().path("pipelined").asBoolean(false) ? 80 : 0;
                if (c.node().path("flow").asText().equals("login")) {
                    login = flows.login(bytes, "login-user");
                    responses = List.of(login.start());
                } else if (req.path("expectContinue").asBoolean(false)) {
                    responses = RawHttp.expectContinue(h.sidecar.port(), parts[0], parts[1]);
                } else {
                    if (c.node().path("replay").asBoolean(false)) {
                        List<RawHttp.Answer> first = RawHttp.exchangeAll(h.sidecar.port(), bytes, head, 0);
                        assertEquals(
                                exp.path("firstStatus").asInt(200),
                                first.get(first.size() - 1).status(),
                                c.id() + ": the first of the two identical requests");
                        h.upstream.reset();
                    }
                    responses = RawHttp.exchangeAll(h.sidecar.port(), bytes, head, settle);
                }
            }
        } finally {
            CorpusFixtures.after(target, fixture);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (responses.get(responses.size() - 1).status() == 101) {
            // The upstream records a WebSocket once its handshake completes, which may be just after ours.
            for (int i = 0; i < 100 && target.upstream.hits.get() == 0; i++) {
                Harness.sleep(10);
            }
        }
        CorpusChecks.check(
                c,
                responses,
                login,
                target.upstream,
                target.keycloak.tokenCalls.get() - keycloakCalls,
                millis,
                endpoint);
    }

    private byte[][] request(Corpus.Case c, Function<String, String> values, String logoutToken, CorpusTokens tk) {
        if (c.node().has("raw")) {
            return new byte[][] {
                Corpus.expand(c.node().get("raw").asText(), values).getBytes(StandardCharsets.ISO_8859_1), new byte[0]
            };
        }
        JsonNode req = c.request();
        String bearer = null;
        if (req.has("bearer")) {
            bearer = req.get("bearer").isTextual()
                    ? Corpus.expand(req.get("bearer").asText(), values)
                    : tk.jwt(req.get("bearer"), "user-1");
        }
        return Corpus.build(req, values, bearer, logoutToken);
    }

    private static String value(Corpus.Case c, String name, String logoutToken, CorpusTokens tk) {
        try {
            if (name.equals("token")) {
                return tk.userToken();
            }
            if (name.startsWith("jwt:")) {
                JsonNode spec = c.tokens().get(name.substring(4));
                if (spec == null) {
                    fail(c.id() + ": no token named " + name.substring(4) + " in " + c.file());
                }
                return tk.jwt(spec, "logout-" + c.id());
            }
            if (name.equals("logout")) {
                return logoutToken;
            }
            if (name.equals("session") || name.equals("session-cookie")) {
                if (session == null) {
                    session = flows.sessionCookie();
                }
                return name.equals("session") ? session.substring(session.indexOf('=') + 1) : session;
            }
            if (name.equals("iss")) {
                return tk.issuer();
            }
        } catch (Exception e) {
            throw new IllegalStateException(c.id() + ": " + name + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(c.id() + ": unknown placeholder {{" + name + "}}");
    }

    /** A second sidecar with cleartext HTTP/2 turned on (h2-config), made on first use. */
    private static synchronized Harness h2() {
        if (h2 == null) {
            JsonNode policy = Corpus.resource("policy.yaml");
            h2 = new Harness(
                    CorpusFixtures::realm,
                    c -> {
                        config.apply(policy.path("config"), c);
                        config.apply(policy.path("h2-config"), c);
                        c.policy.rules = config.rules(policy.path("rules"));
                    },
                    true);
            h2Tokens = new CorpusTokens(h2.keycloak, h2.key);
        }
        return h2;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static String reason(RawHttp.Answer r) {
        try {
            return new JsonObject(r.body()).getString("reason");
        } catch (RuntimeException e) {
            return null;
        }
    }
}
