package org.servicetokens.sidecar.jwt;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.identity.IdentityHeaders;

/**
 * Heap bytes per entry of {@link VerifiedTokens}: fills it with {@code n} (default 100 000) distinct Keycloak-shaped
 * access tokens (RS256-sized, ~1.3 KB: kid, jti, sub, sid, three realm roles, three account roles, e-mail; with
 * {@code full} also the profile claims), each stored as {@link JwtVerifier} stores it and forwarded once (so its
 * header block exists), then forces GC and prints heap used after minus before, divided by {@code n}. The signatures
 * are random bytes of the right length: nothing is verified here. Not a test; run it by hand after
 * {@code mvn -pl sidecar -am test-compile} with the test classpath:
 * {@code java -cp sidecar/target/test-classes:sidecar/target/classes:<deps> org.servicetokens.sidecar.jwt.VerifiedTokensFootprint [n] [full]}
 */
public final class VerifiedTokensFootprint {

    private VerifiedTokensFootprint() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        boolean full = args.length > 1 && args[1].equals("full");
        ObjectMapper mapper = new ObjectMapper();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        Random random = new Random(1);
        IdentityHeaders headers = new IdentityHeaders(new SidecarConfig());
        String header = b64.encodeToString(
                "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"Zx3k7qLm9vTf0aBcD1eFgH2iJkLmNoPqRsTuVwXyZ0a\"}"
                        .getBytes(StandardCharsets.UTF_8));
        long now = System.currentTimeMillis() / 1000;
        long before = used();
        VerifiedTokens cache = new VerifiedTokens(n);
        int length = 0;
        for (int i = 0; i < n; i++) {
            JsonObject claims = new JsonObject()
                    .put("exp", now + 300)
                    .put("iat", now)
                    .put("auth_time", now)
                    .put("jti", "onrtac:" + UUID.randomUUID())
                    .put("iss", "https://keycloak.example.com/realms/demo")
                    .put("aud", new JsonArray().add("demo-app").add("account"))
                    .put("sub", UUID.randomUUID().toString())
                    .put("typ", "Bearer")
                    .put("azp", "demo-app")
                    .put("sid", UUID.randomUUID().toString())
                    .put("acr", "1")
                    .put("allowed-origins", new JsonArray().add("https://app.example.com"))
                    .put(
                            "realm_access",
                            new JsonObject()
                                    .put(
                                            "roles",
                                            new JsonArray()
                                                    .add("offline_access")
                                                    .add("uma_authorization")
                                                    .add("default-roles-demo")))
                    .put(
                            "resource_access",
                            new JsonObject()
                                    .put(
                                            "account",
                                            new JsonObject()
                                                    .put(
                                                            "roles",
                                                            new JsonArray()
                                                                    .add("manage-account")
                                                                    .add("manage-account-links")
                                                                    .add("view-profile"))))
                    .put("scope", "openid profile email")
                    .put("email_verified", true)
                    .put("preferred_username", "user" + i)
                    .put("email", "user" + i + "@example.com");
            if (full) {
                claims.put("name", "User Number " + i).put("given_name", "User").put("family_name", "Number " + i);
            }
            byte[] sig = new byte[256];
            random.nextBytes(sig);
            String token = header + "." + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8)) + "."
                    + b64.encodeToString(sig);
            length += token.length();
            @SuppressWarnings("unchecked")
            JsonObject parsed =
                    new JsonObject(mapper.readValue(Base64.getUrlDecoder().decode(token.split("\\.")[1]), Map.class));
            // As JwtVerifier does on a miss, then one forwarded request (which builds the header block).
            byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
            Identity template = Claims.toIdentity(parsed);
            cache.put(VerifiedTokens.key(bytes, 1), template, now, 30);
            headers.apply(template.forToken(new AsciiString(bytes, false)), MultiMap.caseInsensitiveMultiMap());
        }
        long after = used();
        System.out.printf(
                "entries=%d avgTokenChars=%d cacheSize=%d bytesPerEntry=%d%n",
                n, length / n, cache.size(), (after - before) / n);
        if (args.length > 2) {
            // Time to take a class histogram (jcmd <pid> GC.class_histogram) of what stays.
            Thread.sleep(Long.parseLong(args[2]));
        }
    }

    private static long used() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
