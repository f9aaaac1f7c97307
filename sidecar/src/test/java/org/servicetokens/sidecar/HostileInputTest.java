package org.servicetokens.sidecar;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.TestSecrets;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.TestKey;
import org.servicetokens.sidecar.support.TestUpstream;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input: each case asserts its status and that the upstream was not reached (or, for spoofed
 * headers, that the upstream saw ours and never theirs). No case may produce a 5xx, and the sidecar must
 * keep serving afterwards.
 */
class HostileInputTest {

  private static final String SECRET = Harness.BOT_SECRET;
  static Harness h;

  record Case(String name, Supplier<Http.Response> request, Set<Integer> expected) {
  }

  @BeforeAll
  static void start() {
    h = new Harness();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @TestFactory
  Stream<DynamicTest> refusedRequestsNeverReachTheUpstream() {
    return refusedCases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
      h.upstream.reset();
      Http.Response r = c.request().get();
      assertTrue(c.expected().contains(r.status()), c.name() + ": expected " + c.expected() + " but got " + r.status());
      assertTrue(r.status() < 500, "never 5xx for bad input");
      assertEquals(0, h.upstream.hits.get(), c.name() + ": the upstream must not be reached");
    }));
  }

  @TestFactory
  Stream<DynamicTest> spoofedIdentityHeadersAreReplacedByOurs() {
    String token = h.validToken();
    List<String[]> spoofs = List.of(
        new String[] {"X-Auth-Subject", "root"},
        new String[] {"X_Auth_Subject", "root"},
        new String[] {"x-auth-SUBJECT", "root"},
        new String[] {"X-Auth-Type", "service"},
        new String[] {"X_AUTH_USERNAME", "admin"},
        new String[] {"X-Auth-Email", "ceo@example.com"},
        new String[] {"X-Auth-Roles", "admin"},
        new String[] {"X-Auth-Groups", "/admins"},
        new String[] {"X-Auth-Client-Id", "root-client"},
        new String[] {"X-Auth-Token-Name", "god"},
        new String[] {"x-forwarded-user", "root"},
        new String[] {"X_Forwarded_Email", "root@example.com"},
        new String[] {"X-Forwarded-Groups", "admins"},
        new String[] {"X-Forwarded-Preferred-Username", "root"},
        new String[] {"Remote-User", "root"},
        new String[] {"remote_user", "root"},
        new String[] {"X-Forwarded-For", "10.0.0.1"},
        new String[] {"X-Forwarded-Host", "evil.example"},
        new String[] {"X-Access-Jwt-Assertion", "eyJhbGciOiJub25lIn0.e30."},
        new String[] {"X_Access_Jwt_Assertion", "forged"});
    List<DynamicTest> tests = new ArrayList<>();
    for (String[] s : spoofs) {
      tests.add(DynamicTest.dynamicTest("spoofed " + s[0], () -> {
        h.upstream.reset();
        Http.Response r = h.http.get("/spoof", "Authorization", "Bearer " + token, s[0], s[1]);
        assertEquals(200, r.status());
        TestUpstream.Seen seen = h.upstream.last();
        for (var e : seen.headers()) {
          assertFalse(e.getValue().equals(s[1]), "upstream saw the spoofed value in " + e.getKey());
        }
        assertEquals("user-1", seen.headers().get("X-Auth-Subject"));
        assertTrue(token.equals(seen.headers().get("X-Access-Jwt-Assertion")), "the assertion header carries the verified token");
      }));
    }
    tests.add(DynamicTest.dynamicTest("spoofed headers on a public path are removed too", () -> {
      h.upstream.reset();
      assertEquals(200, h.http.get("/public/x", "X-Auth-Subject", "root", "X_Auth_Type", "service",
          "X-Forwarded-User", "root").status());
      TestUpstream.Seen seen = h.upstream.last();
      assertNull(seen.headers().get("X-Auth-Subject"));
      assertNull(seen.headers().get("X-Auth-Type"));
      assertNull(seen.headers().get("X_Auth_Type"));
      assertNull(seen.headers().get("X-Forwarded-User"));
    }));
    tests.add(DynamicTest.dynamicTest("the sidecar's cookies are removed, the app's kept", () -> {
      h.upstream.reset();
      assertEquals(200, h.http.get("/public/x", "Cookie", "sidecar_session=abc; app=1; __Host-sidecar=x").status());
      assertEquals("app=1", h.upstream.last().headers().get("Cookie"));
    }));
    return tests.stream();
  }

  @Test
  void sidecarKeepsServingAfterTheSuite() {
    for (Case c : refusedCases()) {
      try {
        c.request().get();
      } catch (RuntimeException e) {
        // a connection closed by an oversized request is fine here; statuses are asserted above
      }
    }
    h.upstream.reset();
    assertEquals(200, h.http.get("/after", "Authorization", "Bearer " + h.validToken()).status());
    assertEquals(1, h.upstream.hits.get());
  }

  static List<Case> refusedCases() {
    List<Case> cases = new ArrayList<>();
    long now = System.currentTimeMillis() / 1000;
    TestKey realm = h.key;
    TestKey attacker = TestKey.rsa("k1");
    JsonObject good = h.keycloak.claims("user-1");
    String valid = realm.sign(good);
    String[] vp = valid.split("\\.");

    // --- algorithm and key confusion
    bearer(cases, "alg none, unsigned", TestKey.b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + vp[1] + ".", 401);
    bearer(cases, "alg none, no third segment", TestKey.b64("{\"alg\":\"none\"}") + "." + vp[1], 401);
    bearer(cases, "alg None (case)", TestKey.b64("{\"alg\":\"None\"}") + "." + vp[1] + "." + vp[2], 401);
    bearer(cases, "alg none with a real signature", TestKey.b64("{\"alg\":\"none\",\"kid\":\"k1\"}") + "." + vp[1] + "." + vp[2], 401);
    String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(realm.pair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    bearer(cases, "HS256 signed with the realm public key (PEM)", hmac("HS256", "HmacSHA256", pem.getBytes(), good), 401);
    bearer(cases, "HS256 signed with the realm public key (DER)", hmac("HS256", "HmacSHA256", realm.pair().getPublic().getEncoded(), good), 401);
    bearer(cases, "HS512 signed with the realm public key", hmac("HS512", "HmacSHA512", pem.getBytes(), good), 401);
    bearer(cases, "HS256 signed with the JWK modulus", hmac("HS256", "HmacSHA256", realm.jwk().getString("n").getBytes(), good), 401);
    bearer(cases, "unknown kid", TestKey.rsa("nobody").sign(good), 401);
    bearer(cases, "injected kid: real kid, attacker key", attacker.sign(good), 401);
    bearer(cases, "kid path traversal", attacker.sign(hdr("RS256").put("kid", "../../../../dev/null"), good), 401);
    bearer(cases, "kid SQL injection", attacker.sign(hdr("RS256").put("kid", "' OR '1'='1"), good), 401);
    bearer(cases, "kid as a number", realm.sign(hdr("RS256").put("kid", 1), good), 401);
    bearer(cases, "no kid, attacker key", attacker.sign(new JsonObject().put("alg", "RS256"), good), 401);
    bearer(cases, "jku header", realm.sign(hdr("RS256").put("jku", "http://evil.example/jwks"), good), 401);
    bearer(cases, "x5u header", realm.sign(hdr("RS256").put("x5u", "http://evil.example/cert"), good), 401);
    bearer(cases, "embedded jwk header", attacker.sign(hdr("RS256").put("jwk", attacker.jwk()), good), 401);
    bearer(cases, "x5c header", realm.sign(hdr("RS256").put("x5c", new JsonArray().add("MIIB")), good), 401);
    bearer(cases, "crit header", realm.sign(hdr("RS256").put("crit", new JsonArray().add("exp")), good), 401);
    bearer(cases, "PS256 claimed for an RS256 key", realm.sign(hdr("PS256"), good), 401);
    bearer(cases, "ES256 claimed, RSA signature", realm.sign(hdr("ES256"), good), 401);
    bearer(cases, "duplicate alg member", TestKey.b64("{\"alg\":\"none\",\"alg\":\"RS256\",\"kid\":\"k1\"}") + "." + vp[1] + "." + vp[2], 401);
    bearer(cases, "signature of another token", vp[0] + "." + TestKey.b64(good.copy().put("sub", "root").encode()) + "." + vp[2], 401);
    bearer(cases, "logout token typ used as access token", realm.sign(hdr("RS256").put("typ", "logout+jwt"), good), 401);
    bearer(cases, "ID token used as access token", realm.sign(good.copy().put("typ", "ID").put("azp", "demo-app")), 401);
    bearer(cases, "refresh token typ", realm.sign(good.copy().put("typ", "Refresh")), 401);
    bearer(cases, "token carrying a logout events claim", realm.sign(good.copy().put("events", new JsonObject())), 401);

    // --- claims
    bearer(cases, "expired an hour ago", realm.sign(good.copy().put("exp", now - 3600)), 401);
    bearer(cases, "expired just past the leeway", realm.sign(good.copy().put("exp", now - 45)), 401);
    bearer(cases, "nbf in the future", realm.sign(good.copy().put("nbf", now + 3600)), 401);
    bearer(cases, "iat in the future", realm.sign(good.copy().put("iat", now + 3600)), 401);
    bearer(cases, "wrong iss", realm.sign(good.copy().put("iss", "http://evil.example/realms/demo")), 401);
    bearer(cases, "iss with trailing slash", realm.sign(good.copy().put("iss", h.keycloak.issuer() + "/")), 401);
    bearer(cases, "no iss", realm.sign(without(good, "iss")), 401);
    bearer(cases, "wrong aud, azp other", realm.sign(good.copy().put("aud", "other-app")), 401);
    bearer(cases, "no aud, azp other", realm.sign(without(good, "aud")), 401);
    bearer(cases, "aud as an object", realm.sign(good.copy().put("aud", new JsonObject().put("demo-app", true))), 401);
    bearer(cases, "missing exp", realm.sign(without(good, "exp")), 401);
    bearer(cases, "exp as a string", realm.sign(good.copy().put("exp", "9999999999")), 401);

    // --- malformed tokens
    bearer(cases, "truncated signature", valid.substring(0, valid.length() - 10), 401);
    bearer(cases, "header and payload only", vp[0] + "." + vp[1], 401);
    bearer(cases, "non-base64 payload", vp[0] + ".!!!$$$." + vp[2], 401);
    bearer(cases, "four segments", valid + ".AAAA", 401);
    bearer(cases, "header not JSON", TestKey.b64("not json") + "." + vp[1] + "." + vp[2], 401);
    bearer(cases, "payload a JSON array", vp[0] + "." + TestKey.b64("[1,2]") + "." + vp[2], 401);
    bearer(cases, "random garbage", "garbage", 401);
    bearer(cases, "13 KB token", "a".repeat(13 * 1024), 401);
    cases.add(new Case("empty Bearer", () -> h.http.get("/x", "Authorization", "Bearer "), Set.of(401)));
    cases.add(new Case("unknown scheme", () -> h.http.get("/x", "Authorization", "Digest username=x"), Set.of(401)));

    // --- oversized
    // Oversized heads make the server close the connection: each goes on a fresh raw connection.
    cases.add(new Case("64 KB Authorization header", () -> h.http.raw("GET /x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
        + "a".repeat(64 * 1024) + "\r\n\r\n"), Set.of(400, 413, 431)));
    cases.add(new Case("64 KB other header", () -> h.http.raw("GET /x HTTP/1.1\r\nHost: x\r\nX-Big: "
        + "b".repeat(64 * 1024) + "\r\n\r\n"), Set.of(400, 413, 431)));
    cases.add(new Case("64 KB URL", () -> h.http.raw("GET /public/" + "c".repeat(64 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n"), Set.of(400, 414, 431)));
    cases.add(new Case("1000 headers", () -> {
      StringBuilder many = new StringBuilder("GET /x HTTP/1.1\r\nHost: x\r\n");
      for (int i = 0; i < 1000; i++) {
        many.append("X-H").append(i).append(": ").append("v".repeat(20)).append("\r\n");
      }
      return h.http.raw(many.append("\r\n").toString());
    }, Set.of(400, 413, 431)));

    // --- credential ambiguity
    String basic = "Basic " + Base64.getEncoder().encodeToString(("ci-bot:" + SECRET).getBytes());
    cases.add(new Case("two Authorization headers", () -> h.http.get("/x", "Authorization", "Bearer " + valid, "Authorization", "Bearer " + valid), Set.of(400)));
    cases.add(new Case("folded Authorization values", () -> h.http.get("/x", "Authorization", "Bearer " + valid + ", Bearer " + valid), Set.of(400)));
    cases.add(new Case("two client id headers", () -> h.http.get("/x", "KC-Access-Client-Id", "ci-bot", "KC-Access-Client-Id", "ci-bot", "KC-Access-Client-Secret", SECRET), Set.of(400)));
    cases.add(new Case("two client secret headers", () -> h.http.get("/x", "KC-Access-Client-Id", "ci-bot", "KC-Access-Client-Secret", SECRET, "KC-Access-Client-Secret", "x"), Set.of(400)));
    cases.add(new Case("KC and CF headers at once", () -> h.http.get("/x", "KC-Access-Client-Id", "ci-bot", "KC-Access-Client-Secret", SECRET, "CF-Access-Client-Id", "ci-bot", "CF-Access-Client-Secret", SECRET), Set.of(400)));
    cases.add(new Case("Bearer and client headers", () -> h.http.get("/x", "Authorization", "Bearer " + valid, "KC-Access-Client-Id", "ci-bot", "KC-Access-Client-Secret", SECRET), Set.of(400)));
    cases.add(new Case("Basic and client headers", () -> h.http.get("/x", "Authorization", basic, "KC-Access-Client-Id", "ci-bot", "KC-Access-Client-Secret", SECRET), Set.of(400)));
    cases.add(new Case("client id without secret", () -> h.http.get("/x", "KC-Access-Client-Id", "ci-bot"), Set.of(400)));
    cases.add(new Case("secret without client id", () -> h.http.get("/x", "KC-Access-Client-Secret", SECRET), Set.of(400)));
    cases.add(new Case("Basic not base64", () -> h.http.get("/x", "Authorization", "Basic %%%"), Set.of(400)));
    cases.add(new Case("Basic without colon", () -> h.http.get("/x", "Authorization", "Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes())), Set.of(400)));
    cases.add(new Case("wrong secret", () -> h.http.get("/x", "KC-Access-Client-Id", "ci-bot", "KC-Access-Client-Secret", TestSecrets.wrong(SECRET)), Set.of(401)));
    cases.add(new Case("unknown client", () -> h.http.get("/x", "KC-Access-Client-Id", "nobody", "KC-Access-Client-Secret", TestSecrets.random()), Set.of(401)));

    // --- paths that try to slip past the public rule
    for (String p : List.of("/public/..%2fadmin", "/public/..%2Fadmin", "/public/%2e%2e/admin", "/public/%2E%2E/admin",
        "/public/.%2e/admin", "/public/..%5cadmin", "/public/%00/x", "/public/..;/admin", "/public/%252e%252e/admin",
        "/public/%zz", "/%2e%2e/etc/passwd", "/public/x%0d%0aX-Auth-Subject:%20root")) {
      cases.add(new Case("path " + p, () -> h.http.get(p), Set.of(400)));
    }
    for (String p : List.of("//admin", "/public/../admin", "/public/./../admin", "/public//../admin", "/.sidecar/../admin")) {
      cases.add(new Case("path " + p + " is judged as its normal form", () -> h.http.get(p, "Accept", "application/json"), Set.of(401)));
    }
    cases.add(new Case("raw backslash path", () -> h.http.raw("GET /public/..\\admin HTTP/1.1\r\nHost: x\r\n\r\n"), Set.of(400)));

    // PITFALLS 10: a CORS preflight carries no credential and is not waved through.
    cases.add(new Case("CORS preflight listing Authorization", () -> h.http.send(io.vertx.core.http.HttpMethod.OPTIONS, "/api/x", null,
        "Origin", "http://evil.example", "Access-Control-Request-Method", "DELETE",
        "Access-Control-Request-Headers", "authorization"), Set.of(401)));
    cases.add(new Case("TRACE without credentials", () -> h.http.send(io.vertx.core.http.HttpMethod.TRACE, "/api/x", null), Set.of(405)));

    // --- raw protocol abuse (CRLF and smuggling)
    cases.add(new Case("bare LF inside a header value", () -> h.http.raw("GET /x HTTP/1.1\r\nHost: x\r\nX-A: a\nX-Auth-Subject: root\r\n\r\n"), Set.of(400, 401)));
    cases.add(new Case("bare CR inside a header value", () -> h.http.raw("GET /x HTTP/1.1\r\nHost: x\r\nX-A: a\rX-Auth-Subject: root\r\n\r\n"), Set.of(400, 401)));
    cases.add(new Case("obs-fold of a spoofed header", () -> h.http.raw("GET /x HTTP/1.1\r\nHost: x\r\nX-Auth-Subject: a\r\n root\r\n\r\n"), Set.of(400, 401)));
    cases.add(new Case("obs-fold of a bad token", () -> h.http.raw("GET /x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer\r\n " + valid + "x\r\n\r\n"), Set.of(400, 401)));
    cases.add(new Case("space before colon", () -> h.http.raw("GET /x HTTP/1.1\r\nHost: x\r\nX-Auth-Subject : root\r\n\r\n"), Set.of(400, 401)));
    cases.add(new Case("duplicate Content-Length", () -> h.http.raw("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 5\r\n\r\nabcde"), Set.of(400, 401)));
    cases.add(new Case("Transfer-Encoding with Content-Length", () -> h.http.raw("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), Set.of(400, 401)));
    cases.add(new Case("CRLF in the request line", () -> h.http.raw("GET /x\r\nX-Auth-Subject: root HTTP/1.1\r\nHost: x\r\n\r\n"), Set.of(400, 401, 505)));
    return cases;
  }

  private static void bearer(List<Case> cases, String name, String token, int status) {
    cases.add(new Case(name, () -> h.http.get("/api/x", "Authorization", "Bearer " + token), Set.of(status)));
  }

  private static JsonObject hdr(String alg) {
    return new JsonObject().put("alg", alg).put("typ", "JWT").put("kid", "k1");
  }

  private static JsonObject without(JsonObject claims, String name) {
    JsonObject c = claims.copy();
    c.remove(name);
    return c;
  }

  private static String hmac(String alg, String jca, byte[] key, JsonObject claims) {
    try {
      String input = TestKey.b64(new JsonObject().put("alg", alg).put("typ", "JWT").put("kid", "k1").encode())
          + "." + TestKey.b64(claims.encode());
      Mac mac = Mac.getInstance(jca);
      mac.init(new SecretKeySpec(key, jca));
      return input + "." + TestKey.b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
