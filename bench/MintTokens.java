import io.vertx.core.json.JsonObject;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Mints many distinct access tokens with the exact shape of one Keycloak issued, signed RS256 (RFC 7518 section 3.3)
 * with a key the benchmark imported into the realm, so the sidecar and Apache verify them against the realm's own
 * JWKS like any token Keycloak signed. Each token is the template's payload (same claims, same order) with its own
 * {@code sub} and {@code jti} (a fresh UUID each) and {@code iat}/{@code exp} set as below; the JOSE header is
 * Keycloak's: {@code alg}, {@code typ: JWT}, {@code kid}.
 *
 * <p>Run: {@code java -cp sidecar/target/sidecar.jar bench/MintTokens.java TEMPLATE_JWT_FILE KEY_PEM KID COUNT OUT
 * [LIFETIME_SECONDS=7200] [GENERATIONS=1] [STEP_SECONDS=0]}. KEY_PEM is a PKCS#8 PEM private key ({@code openssl
 * genpkey}). Writes GENERATIONS × COUNT tokens to OUT, one per line, generation by generation: generation g is issued
 * at start + g × STEP and expires LIFETIME later (start = now, printed on stdout as epoch seconds), so a client that
 * picks generation floor((now - start) / STEP) always holds a token with at least LIFETIME - STEP seconds left.
 * Signing runs on every core; 100 000 tokens take about a minute on two.
 */
public class MintTokens {
    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println(
                    "usage: MintTokens TEMPLATE_JWT_FILE KEY_PEM KID COUNT OUT [LIFETIME=7200] [GENERATIONS=1] [STEP=0]");
            System.exit(2);
        }
        String template = Files.readString(Path.of(args[0])).trim();
        PrivateKey key = privateKey(Files.readString(Path.of(args[1])));
        String kid = args[2];
        int count = Integer.parseInt(args[3]);
        Path out = Path.of(args[4]);
        long lifetime = args.length > 5 ? Long.parseLong(args[5]) : 7200;
        int generations = args.length > 6 ? Integer.parseInt(args[6]) : 1;
        long step = args.length > 7 ? Long.parseLong(args[7]) : 0;

        Base64.Decoder b64 = Base64.getUrlDecoder();
        JsonObject payload = new JsonObject(new String(b64.decode(template.split("\\.")[1]), StandardCharsets.UTF_8));
        JsonObject header =
                new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", kid);
        String encodedHeader = encode(header.encode());
        // Keycloak's jti is "<prefix>:<uuid>" in recent versions, a bare UUID in older ones: keep the prefix.
        String jti = payload.getString("jti", "");
        String jtiPrefix = jti.contains(":") ? jti.substring(0, jti.lastIndexOf(':') + 1) : "";
        long start = System.currentTimeMillis() / 1000;

        int total = count * generations;
        String[] tokens = new String[total];
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Future<?>[] parts = new Future<?>[threads];
        for (int t = 0; t < threads; t++) {
            int first = t;
            parts[t] = pool.submit(() -> {
                Signature signer = Signature.getInstance("SHA256withRSA"); // one per thread: not thread-safe
                signer.initSign(key);
                for (int i = first; i < total; i += threads) {
                    long iat = start + (i / count) * step;
                    JsonObject claims = payload.copy()
                            .put("exp", iat + lifetime)
                            .put("iat", iat)
                            .put("jti", jtiPrefix + UUID.randomUUID())
                            .put("sub", UUID.randomUUID().toString());
                    String signingInput = encodedHeader + "." + encode(claims.encode());
                    signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
                    tokens[i] = signingInput + "."
                            + Base64.getUrlEncoder().withoutPadding().encodeToString(signer.sign());
                }
                return null;
            });
        }
        for (Future<?> part : parts) {
            part.get();
        }
        pool.shutdown();
        try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.US_ASCII)) {
            for (String token : tokens) {
                writer.write(token);
                writer.newLine();
            }
        }
        System.out.println(start);
    }

    private static String encode(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static PrivateKey privateKey(String pem) throws Exception {
        String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    }
}
