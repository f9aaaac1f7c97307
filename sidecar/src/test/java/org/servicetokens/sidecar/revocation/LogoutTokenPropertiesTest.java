package org.servicetokens.sidecar.revocation;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.BiConsumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicetokens.sidecar.endpoint.BackchannelLogoutHandler;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.LogoutTokens;
import org.servicetokens.sidecar.support.Property;
import org.servicetokens.sidecar.support.TestKey;

/**
 * The back-channel logout checks over random mutations of a valid logout token, posted to a real sidecar.
 *
 * <p>Property: a mutated logout token is accepted (200) only if every mutation keeps all the required checks
 * (OIDC Back-Channel Logout 1.0 §2.6: signed by the realm with an allowed algorithm, JOSE {@code typ}
 * {@code logout+jwt}, not an access token, this issuer, this app in {@code aud}, the back-channel event, a fresh
 * {@code iat}, not expired, no {@code nonce}, a {@code sub} or {@code sid}, a {@code jti}); a token with any
 * mutation that breaks one is refused (400), never answered 5xx. Mutations the rules leave open (another spelling
 * of the media type, no {@code exp}, another payload {@code typ}) may go either way.
 */
class LogoutTokenPropertiesTest {

    enum Verdict {
        KEEPS,
        BREAKS,
        OPEN
    }

    /** One change to a logout token's header and claims; two changes of one aspect are never combined. */
    record Mutation(String name, String aspect, Verdict verdict, BiConsumer<JsonObject, JsonObject> apply) {}

    private static final String EVENT = BackchannelLogoutHandler.EVENT;
    private static final List<Mutation> MUTATIONS = new ArrayList<>();

    static {
        long now = System.currentTimeMillis() / 1000;
        add("add sid", "subject", Verdict.KEEPS, (h, c) -> c.put("sid", "sid-" + UUID.randomUUID()));
        add(
                "aud array with this app",
                "aud",
                Verdict.KEEPS,
                (h, c) -> c.put("aud", new JsonArray().add("other-app").add("demo-app")));
        add("iat 10 s ago", "iat", Verdict.KEEPS, (h, c) -> c.put("iat", now - 10));
        add("extra claim", "extra", Verdict.KEEPS, (h, c) -> c.put("extra", "x"));
        add("typ JWT", "typ", Verdict.BREAKS, (h, c) -> h.put("typ", "JWT"));
        add("no typ", "typ", Verdict.BREAKS, (h, c) -> h.remove("typ"));
        add("typ at+jwt", "typ", Verdict.BREAKS, (h, c) -> h.put("typ", "at+jwt"));
        add("payload typ Bearer", "ptyp", Verdict.BREAKS, (h, c) -> c.put("typ", "Bearer"));
        add("aud other", "aud", Verdict.BREAKS, (h, c) -> c.put("aud", "other-app"));
        add("no aud", "aud", Verdict.BREAKS, (h, c) -> c.remove("aud"));
        add("iss other", "iss", Verdict.BREAKS, (h, c) -> c.put("iss", "http://evil.example/realms/demo"));
        add("no events", "events", Verdict.BREAKS, (h, c) -> c.remove("events"));
        add(
                "events other member",
                "events",
                Verdict.BREAKS,
                (h, c) -> c.put("events", new JsonObject().put("x", new JsonObject())));
        add(
                "event as a string",
                "events",
                Verdict.BREAKS,
                (h, c) -> c.put("events", new JsonObject().put(EVENT, "yes")));
        add("nonce", "nonce", Verdict.BREAKS, (h, c) -> c.put("nonce", "n"));
        add("no iat", "iat", Verdict.BREAKS, (h, c) -> c.remove("iat"));
        add("iat old", "iat", Verdict.BREAKS, (h, c) -> c.put("iat", now - 3600));
        add("iat future", "iat", Verdict.BREAKS, (h, c) -> c.put("iat", now + 3600));
        add("iat string", "iat", Verdict.BREAKS, (h, c) -> c.put("iat", "" + now));
        add("expired", "exp", Verdict.BREAKS, (h, c) -> c.put("exp", now - 3600));
        add("exp string", "exp", Verdict.BREAKS, (h, c) -> c.put("exp", "" + (now + 60)));
        add("no sub nor sid", "subject", Verdict.BREAKS, (h, c) -> {
            c.remove("sub");
            c.remove("sid");
        });
        add("no jti", "jti", Verdict.BREAKS, (h, c) -> c.remove("jti"));
        add("empty jti", "jti", Verdict.BREAKS, (h, c) -> c.put("jti", ""));
        add("jti number", "jti", Verdict.BREAKS, (h, c) -> c.put("jti", 7));
        add("crit", "crit", Verdict.BREAKS, (h, c) -> h.put("crit", new JsonArray().add("exp")));
        add("jku", "jku", Verdict.BREAKS, (h, c) -> h.put("jku", "http://evil.example/jwks"));
        add("signed by another key", "signature", Verdict.BREAKS, (h, c) -> h.put("x-sign", "attacker"));
        add(
                "alg none",
                "signature",
                Verdict.BREAKS,
                (h, c) -> h.put("alg", "none").put("x-sign", "none"));
        add(
                "HS256 with the public key",
                "signature",
                Verdict.BREAKS,
                (h, c) -> h.put("alg", "HS256").put("x-sign", "hs256"));
        add("typ in capitals", "typ", Verdict.OPEN, (h, c) -> h.put("typ", "Logout+JWT"));
        add("typ as media type", "typ", Verdict.OPEN, (h, c) -> h.put("typ", "application/logout+jwt"));
        add("no exp", "exp", Verdict.OPEN, (h, c) -> c.remove("exp"));
        add("payload typ Logout", "ptyp", Verdict.OPEN, (h, c) -> c.put("typ", "Logout"));
        add("payload typ ID", "ptyp", Verdict.OPEN, (h, c) -> c.put("typ", "ID"));
    }

    /** Mutation lists that once broke the property. */
    static final List<List<String>> EXAMPLES = List.of(
            // A Bearer-typed JWT with the events claim was accepted (issue 11 #11).
            List.of("typ JWT", "payload typ Bearer"),
            // A logout token without a JOSE typ was accepted.
            List.of("no typ"));

    @RegisterExtension
    static final Harness h = new Harness();

    static final TestKey ATTACKER = TestKey.rsa("k1");

    @Test
    void onlyTokensThatKeepEveryCheckAreAccepted() {
        Property.forAll(
                "logout token checks",
                Property.tries(300),
                LogoutTokenPropertiesTest::mutations,
                List::toString,
                EXAMPLES,
                names -> {
                    JsonObject header = LogoutTokens.header();
                    JsonObject claims = claims();
                    Verdict verdict = Verdict.KEEPS;
                    for (String name : names) {
                        Mutation m = MUTATIONS.stream()
                                .filter(x -> x.name().equals(name))
                                .findFirst()
                                .orElseThrow();
                        m.apply().accept(header, claims);
                        verdict = m.verdict() == Verdict.BREAKS || verdict == Verdict.BREAKS
                                ? Verdict.BREAKS
                                : m.verdict() == Verdict.OPEN ? Verdict.OPEN : verdict;
                    }
                    int status = post(sign(header, claims)).status();
                    assertTrue(status < 500, "never 5xx, got " + status);
                    switch (verdict) {
                        case KEEPS -> assertTrue(status == 200, "a valid logout token is accepted, got " + status);
                        case BREAKS -> assertTrue(status == 400, "a broken logout token is refused, got " + status);
                        default -> assertTrue(status == 200 || status == 400, "200 or 400, got " + status);
                    }
                });
    }

    static List<String> mutations(Random r) {
        List<String> names = new ArrayList<>();
        java.util.Set<String> aspects = new java.util.HashSet<>();
        for (int i = r.nextInt(3); i >= 0; i--) {
            Mutation m = MUTATIONS.get(r.nextInt(MUTATIONS.size()));
            if (aspects.add(m.aspect())) {
                names.add(m.name());
            }
        }
        return names;
    }

    private static void add(String name, String aspect, Verdict verdict, BiConsumer<JsonObject, JsonObject> apply) {
        MUTATIONS.add(new Mutation(name, aspect, verdict, apply));
    }

    private static JsonObject claims() {
        return LogoutTokens.claims(h, "property-" + UUID.randomUUID());
    }

    private static String sign(JsonObject header, JsonObject claims) throws Exception {
        String how = (String) header.remove("x-sign");
        if (how == null) {
            return h.key.sign(header, claims);
        }
        if (how.equals("attacker")) {
            return ATTACKER.sign(header, claims);
        }
        String input = TestKey.b64(header.encode()) + "." + TestKey.b64(claims.encode());
        if (how.equals("none")) {
            return input + ".";
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(h.key.pair().getPublic().getEncoded(), "HmacSHA256"));
        return input + "." + TestKey.b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }

    private static Http.Response post(String token) {
        return LogoutTokens.post(h, token);
    }
}
