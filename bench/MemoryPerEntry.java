import io.netty.util.AsciiString;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.servicetokens.sidecar.cache.SidecarCaches;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.grant.ClientCredentialsGrants;
import org.servicetokens.sidecar.grant.GrantAdmission;
import org.servicetokens.sidecar.identity.Identity;
import org.servicetokens.sidecar.identity.IdentityHeaders;
import org.servicetokens.sidecar.jwt.VerifiedTokens;
import org.servicetokens.sidecar.session.SessionRecord;
import org.servicetokens.sidecar.session.SessionStore;
import org.servicetokens.sidecar.util.RandomTokens;

/**
 * Benchmark helper for bench/memory.sh: bytes per entry of the sidecar's two big in-memory stores, filled through
 * the sidecar's own classes (run with {@code java -cp sidecar/target/sidecar.jar bench/MemoryPerEntry.java}).
 *
 * <ul>
 *   <li>{@code tokens N}: N distinct verified access tokens in the verified-token cache, each as the JWT path
 *       leaves it: the identity from the sidecar's own claims mapping, with its identity-header block built (as the
 *       first proxied request builds it). Tokens are shaped like Keycloak 26 user access tokens (RS256, ~1.4 KB).
 *       The signatures are random bytes: the cache stores what it is given, verification is not what is measured.
 *   <li>{@code sessions N}: N browser sessions (one subject each) through {@link SessionStore#create} into the
 *       Infinispan caches {@link SidecarCaches} builds with the default configuration: the sealed record plus the
 *       per-subject index. Access, refresh (HS512) and ID tokens shaped like Keycloak 26's.
 *   <li>{@code grants N}: N cached client-credentials grants as {@code ClientCredentialsGrants} leaves a success: the
 *       service token's access token (Keycloak-26-shaped service-account token, RS256, ~1.3 KB) under
 *       {@code clientId|sha256hex(secret)} in the exchanged-tokens cache with its lifespan, plus the credential's key
 *       in {@link GrantAdmission}'s known-good map. Both are bounded by {@code exchange.max-entries}.
 *   <li>{@code grant-failures N}: N remembered refusals ({@code clientId|hash|address} to the reason code, in the
 *       exchange-failures cache) plus N in-flight markers (the same key to a replica id, in the exchange-inflight
 *       cache): the other two caches {@code exchange.max-entries} bounds.
 * </ul>
 *
 * <p>Prints one line of {@code key=value}: heap used after {@code System.gc()} and process RSS (/proc/self/status
 * VmRSS), before and after the fill, in bytes, and the per-entry differences.
 */
public class MemoryPerEntry {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final String ISSUER = "https://keycloak.example.com/realms/demo";
    private static final String KID = "Xv3c0iXd6Umg0pR7rGj8f6yN2x5QkM1sT9aBcDeFgHi";

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int count = Integer.parseInt(args[1]);
        SidecarConfig config = new SidecarConfig();
        Filler filler = switch (kind) {
            case "tokens" -> tokens(config, count);
            case "sessions" -> sessions(config, count);
            case "grants" -> grants(config, count);
            case "grant-failures" -> grantFailures(config, count);
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        };
        filler.fill(0); // classes loaded and initialised before the baseline
        long[] before = measure();
        long chars = 0;
        for (int i = 1; i <= count; i++) {
            chars += filler.fill(i);
        }
        filler.flush();
        long stored = filler.size(); // also lets the cache finish its pending upkeep before the measurement
        long[] after = measure();
        System.out.printf(
                "kind=%s entries=%d stored=%d token_chars_per_entry=%d heap_before=%d heap_after=%d rss_before=%d"
                        + " rss_after=%d heap_per_entry=%d rss_per_entry=%d heap_max=%d%n",
                kind,
                count,
                stored,
                chars / count,
                before[0],
                after[0],
                before[1],
                after[1],
                (after[0] - before[0]) / count,
                (after[1] - before[1]) / count,
                Runtime.getRuntime().maxMemory());
        filler.close();
        System.exit(0);
    }

    interface Filler {
        /** Stores entry {@code i}; returns the characters of the tokens it holds. */
        long fill(int i) throws Exception;

        default void flush() {}

        long size();

        default void close() {}
    }

    // ---- verified tokens -------------------------------------------------------------------------------------

    /**
     * The seam to the verified-token cache: stores a verified token as the JWT path does (one process-wide cache
     * keyed by the token's SHA-256, holding the identity without the token) and returns the identity a request is
     * served ({@code forToken}). The claims mapping and the cache's upkeep are package-private: reached by reflection.
     */
    static final class VerifiedTokenCache {
        private final VerifiedTokens cache;
        private final Method toIdentity;
        private final Method cleanUp;

        VerifiedTokenCache(int capacity) throws Exception {
            cache = new VerifiedTokens(capacity);
            toIdentity = Class.forName("org.servicetokens.sidecar.jwt.Claims")
                    .getDeclaredMethod("toIdentity", JsonObject.class);
            toIdentity.setAccessible(true);
            cleanUp = VerifiedTokens.class.getDeclaredMethod("cleanUp");
            cleanUp.setAccessible(true);
        }

        Identity store(JsonObject claims, String token, long nowSeconds) throws Exception {
            byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
            Identity identity = (Identity) toIdentity.invoke(null, claims);
            cache.put(VerifiedTokens.key(bytes, 1L), identity, nowSeconds, 0L);
            return identity.forToken(new AsciiString(bytes, false));
        }

        /** Entries held, once the cache has done its pending upkeep. */
        long size() throws Exception {
            cleanUp.invoke(cache);
            return cache.size();
        }
    }

    static Filler tokens(SidecarConfig config, int count) throws Exception {
        VerifiedTokenCache cache = new VerifiedTokenCache(count + 1);
        IdentityHeaders headers = new IdentityHeaders(config);
        return new Filler() {
            @Override
            public long fill(int i) throws Exception {
                long now = System.currentTimeMillis() / 1000;
                JsonObject claims = accessClaims(i, now, UUID.randomUUID().toString());
                String token = jwt("RS256", claims, 256);
                // As the JWT path does: claims parsed from the token's payload, the identity cached, then served.
                Identity served = cache.store(new JsonObject(claims.encode()), token, now);
                headers.apply(served, MultiMap.caseInsensitiveMultiMap());
                return token.length();
            }

            @Override
            public long size() {
                try {
                    return cache.size();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    // ---- browser sessions ------------------------------------------------------------------------------------

    static Filler sessions(SidecarConfig config, int count) throws Exception {
        config.sessions.maxEntries = count + 1; // room for all: the default cap is smaller than a measurement run
        Vertx vertx = Vertx.vertx();
        SidecarCaches caches = startCaches(vertx, config);
        SessionStore store =
                new SessionStore(caches.sessions(), caches.sessionSubjects(), config.sessions.maxPerSubject);
        List<Future<Void>> pending = new ArrayList<>();
        return new Filler() {
            @Override
            public long fill(int i) throws Exception {
                long now = System.currentTimeMillis() / 1000;
                String sid = UUID.randomUUID().toString();
                JsonObject access = accessClaims(i, now, sid);
                String accessToken = jwt("RS256", access, 256);
                String refreshToken = jwt("HS512", refreshClaims(access, now), 64);
                String idToken = jwt("RS256", idClaims(access, now), 256);
                SessionRecord record = new SessionRecord(
                        access.getString("sub"), sid, accessToken, refreshToken, idToken, now + 300, now + 1800, now);
                pending.add(store.create(RandomTokens.next(), record));
                if (pending.size() >= 500) {
                    flush();
                }
                return accessToken.length() + refreshToken.length() + idToken.length();
            }

            @Override
            public void flush() {
                try {
                    Future.all(pending)
                            .toCompletionStage()
                            .toCompletableFuture()
                            .get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                pending.clear();
            }

            @Override
            public long size() {
                return SidecarCaches.localSize(caches.sessions());
            }

            @Override
            public void close() {
                caches.close(vertx).compose(v -> vertx.close());
            }
        };
    }

    /** The sidecar's caches as it starts them, waited for (the fillers run on the main thread). */
    static SidecarCaches startCaches(Vertx vertx, SidecarConfig config) throws Exception {
        return SidecarCaches.start(vertx, config)
                .toCompletionStage()
                .toCompletableFuture()
                .get();
    }

    // ---- client-credentials grants --------------------------------------------------------------------------

    static Filler grants(SidecarConfig config, int count) throws Exception {
        config.exchange.maxEntries = count + 1; // room for all: the default cap is smaller than a measurement run
        Vertx vertx = Vertx.vertx();
        SidecarCaches caches = startCaches(vertx, config);
        GrantAdmission admission = new GrantAdmission(vertx, config.exchange);
        return new Filler() {
            @Override
            public long fill(int i) {
                long now = System.currentTimeMillis() / 1000;
                String clientId = "svc-" + i;
                String token = jwt("RS256", serviceClaims(clientId, now), 256);
                String key = ClientCredentialsGrants.cacheKey(clientId, "kcst_" + random(32));
                // As ClientCredentialsGrants.handle does on a 200: cached until refresh-before-expiry before exp.
                long lifespanMs = 300_000 - config.exchange.refreshBeforeExpiry.toMillis();
                caches.grantedTokens().put(key, token, lifespanMs, TimeUnit.MILLISECONDS);
                admission.succeeded(key);
                return token.length();
            }

            @Override
            public long size() {
                return SidecarCaches.localSize(caches.grantedTokens());
            }

            @Override
            public void close() {
                caches.close(vertx).compose(v -> vertx.close());
            }
        };
    }

    static Filler grantFailures(SidecarConfig config, int count) throws Exception {
        config.exchange.maxEntries = count + 1;
        Vertx vertx = Vertx.vertx();
        SidecarCaches caches = startCaches(vertx, config);
        String replica = UUID.randomUUID().toString();
        return new Filler() {
            @Override
            public long fill(int i) {
                String key = ClientCredentialsGrants.cacheKey("svc-" + i, "kcst_" + random(32));
                // As ClientCredentialsGrants.handle does on a refusal (per client address), and ClusterSingleFlight's
                // marker while a call is out.
                caches.grantRefusals()
                        .put(
                                key + "|10.1." + (i >> 8 & 255) + "." + (i & 255),
                                "unauthorized_client",
                                config.exchange.negativeTtl.toMillis(),
                                TimeUnit.MILLISECONDS);
                caches.grantsInFlight().put(key, replica, 10_000, TimeUnit.MILLISECONDS);
                return 0;
            }

            @Override
            public long size() {
                return SidecarCaches.localSize(caches.grantRefusals());
            }

            @Override
            public void close() {
                caches.close(vertx).compose(v -> vertx.close());
            }
        };
    }

    /** A Keycloak 26 service-account access token's claims (client credentials grant of a service token). */
    static JsonObject serviceClaims(String clientId, long now) {
        return new JsonObject()
                .put("exp", now + 300)
                .put("iat", now)
                .put("jti", "trrtcc:" + UUID.randomUUID())
                .put("iss", ISSUER)
                .put("aud", new JsonArray().add("demo-api").add("account"))
                .put("sub", UUID.randomUUID().toString())
                .put("typ", "Bearer")
                .put("azp", clientId)
                .put("acr", "1")
                .put("allowed-origins", new JsonArray().add("/*"))
                .put(
                        "realm_access",
                        new JsonObject()
                                .put(
                                        "roles",
                                        new JsonArray()
                                                .add("default-roles-demo")
                                                .add("offline_access")
                                                .add("uma_authorization")))
                .put(
                        "resource_access",
                        new JsonObject()
                                .put("demo-api", new JsonObject().put("roles", new JsonArray().add("reader")))
                                .put(
                                        "account",
                                        new JsonObject()
                                                .put(
                                                        "roles",
                                                        new JsonArray()
                                                                .add("manage-account")
                                                                .add("view-profile"))))
                .put("scope", "profile email")
                .put(
                        "service_token",
                        new JsonObject().put("id", UUID.randomUUID().toString()).put("name", "ci"))
                .put("clientHost", "10.1.2.3")
                .put("email_verified", false)
                .put("preferred_username", "service-account-" + clientId)
                .put("clientAddress", "10.1.2.3")
                .put("client_id", clientId);
    }

    // ---- Keycloak-shaped tokens ------------------------------------------------------------------------------

    /** A Keycloak 26 access token's claims for user {@code i} of the demo realm signed in to demo-app. */
    static JsonObject accessClaims(int i, long now, String sid) {
        String user = "user" + i;
        return new JsonObject()
                .put("exp", now + 300)
                .put("iat", now)
                .put("auth_time", now)
                .put("jti", "onrtac:" + UUID.randomUUID())
                .put("iss", ISSUER)
                .put("aud", new JsonArray().add("demo-app").add("account"))
                .put("sub", UUID.randomUUID().toString())
                .put("typ", "Bearer")
                .put("azp", "demo-app")
                .put("sid", sid)
                .put("acr", "1")
                .put("allowed-origins", new JsonArray().add("https://app.example.com"))
                .put(
                        "realm_access",
                        new JsonObject()
                                .put(
                                        "roles",
                                        new JsonArray()
                                                .add("default-roles-demo")
                                                .add("offline_access")
                                                .add("uma_authorization")))
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
                .put("scope", "openid email profile")
                .put("email_verified", true)
                .put("name", "User " + i)
                .put("preferred_username", user)
                .put("given_name", "User")
                .put("family_name", String.valueOf(i))
                .put("email", user + "@example.com");
    }

    static JsonObject refreshClaims(JsonObject access, long now) {
        return new JsonObject()
                .put("exp", now + 1800)
                .put("iat", now)
                .put("jti", UUID.randomUUID().toString())
                .put("iss", ISSUER)
                .put("aud", ISSUER)
                .put("sub", access.getString("sub"))
                .put("typ", "Refresh")
                .put("azp", "demo-app")
                .put("sid", access.getString("sid"))
                .put("scope", "openid web-origins acr roles profile basic email");
    }

    static JsonObject idClaims(JsonObject access, long now) {
        JsonObject id = access.copy();
        id.remove("realm_access");
        id.remove("resource_access");
        id.remove("allowed-origins");
        id.remove("scope");
        return id.put("jti", "ntynbu:" + UUID.randomUUID())
                .put("aud", "demo-app")
                .put("typ", "ID")
                .put("nonce", random(16))
                .put("at_hash", random(16))
                .put("sid", access.getString("sid"))
                .put("acr", "1");
    }

    static String jwt(String alg, JsonObject claims, int signatureBytes) {
        JsonObject header = new JsonObject().put("alg", alg).put("typ", "JWT").put("kid", KID);
        return b64(header.encode()) + "." + b64(claims.encode()) + "." + random(signatureBytes);
    }

    static String b64(String json) {
        return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return B64.encodeToString(b);
    }

    // ---- measuring -------------------------------------------------------------------------------------------

    /** {heap used after GC, RSS}, bytes. */
    static long[] measure() throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return new long[] {heap, rss};
    }
}
