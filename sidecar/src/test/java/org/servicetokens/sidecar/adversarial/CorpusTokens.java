package org.servicetokens.sidecar.adversarial;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.servicetokens.sidecar.endpoint.BackchannelLogoutHandler;
import org.servicetokens.sidecar.support.FakeKeycloak;
import org.servicetokens.sidecar.support.TestKey;
import org.servicetokens.sidecar.support.TestSecrets;

/**
 * Makes the credentials a corpus case asks for: JWTs from a spec (base claims, overrides, header, how to sign,
 * with times written {@code now+300}), and well-formed service-token secrets. Specs are JSON trees from the
 * corpus files:
 * <pre>
 * {base: access|logout|id|empty, claims: {...}, remove: [..], header: {...}, headerRemove: [..],
 *  sign: realm|attacker|none|empty-signature|hs256-pem|hs256-der|hs512-pem|hs256-jwk-n|es256-zero|other-signature,
 *  headerRaw: "{json}", payloadRaw: "{json}", truncate: n, literal: "a.b.c"}
 * </pre>
 * A {@code null} claim or header value removes that member.
 */
final class CorpusTokens {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NOW = Pattern.compile("now([+-]\\d+)?");

    private final FakeKeycloak realm;
    private final TestKey key;
    private final TestKey attacker = TestKey.rsa("k1");

    CorpusTokens(FakeKeycloak realm, TestKey key) {
        this.realm = realm;
        this.key = key;
    }

    /** A well-formed secret ({@code kcst_} + 43 base62 + base62 CRC32 of those 43), the same for the same label. */
    static String secret(String label) {
        return TestSecrets.of(label);
    }

    /** The same secret with its checksum broken: right shape, wrong CRC. */
    static String badChecksum(String label) {
        return TestSecrets.withBadChecksum(secret(label));
    }

    String issuer() {
        return realm.issuer();
    }

    /** The default user access token (sub user-1, realm role user), freshly issued. */
    String userToken() {
        return jwt(JSON.createObjectNode(), "user");
    }

    /** A JWT from a spec; {@code defaultSub} names the subject when the spec does not. */
    String jwt(JsonNode spec, String defaultSub) {
        if (spec.has("literal")) {
            return spec.get("literal").asText();
        }
        String base = spec.path("base").asText("access");
        JsonObject claims = switch (base) {
            case "access" -> realm.claims("user-1");
            case "logout" -> logoutClaims(defaultSub);
            case "id" ->
                realm.claims("user-1").put("typ", "ID").put("azp", "demo-app").put("nonce", "n");
            case "empty" -> new JsonObject();
            default -> throw new IllegalArgumentException("unknown token base " + base);
        };
        JsonObject header = new JsonObject()
                .put("alg", "RS256")
                .put("typ", base.equals("logout") ? "logout+jwt" : "JWT")
                .put("kid", "k1");
        merge(claims, spec.get("claims"));
        merge(header, spec.get("header"));
        spec.path("remove").forEach(n -> claims.remove(n.asText()));
        spec.path("headerRemove").forEach(n -> header.remove(n.asText()));
        String headerJson = spec.has("headerRaw") ? spec.get("headerRaw").asText() : header.encode();
        String payloadJson =
                spec.has("payloadRaw") ? times(spec.get("payloadRaw").asText()) : claims.encode();
        String input = TestKey.b64(headerJson) + "." + TestKey.b64(payloadJson);
        String how = spec.path("sign").asText("realm");
        String token = sign(how, input);
        int cut = spec.path("truncate").asInt(0);
        return token.substring(0, token.length() - cut);
    }

    private String sign(String how, String input) {
        return switch (how) {
            case "realm" -> input + "." + TestKey.b64(rs256(key, input));
            case "attacker" -> input + "." + TestKey.b64(rs256(attacker, input));
            case "none" -> input + ".";
            case "two-parts" -> input;
            case "es256-zero" -> input + "." + TestKey.b64(new byte[64]);
            case "hs256-pem" ->
                input + "." + TestKey.b64(hmac("HmacSHA256", pem().getBytes(StandardCharsets.US_ASCII), input));
            case "hs256-der" ->
                input + "."
                        + TestKey.b64(hmac("HmacSHA256", key.pair().getPublic().getEncoded(), input));
            case "hs512-pem" ->
                input + "." + TestKey.b64(hmac("HmacSHA512", pem().getBytes(StandardCharsets.US_ASCII), input));
            case "hs256-jwk-n" ->
                input + "."
                        + TestKey.b64(hmac(
                                "HmacSHA256", key.jwk().getString("n").getBytes(StandardCharsets.US_ASCII), input));
            case "other-signature" -> {
                String other = userToken();
                yield input + "." + other.substring(other.lastIndexOf('.') + 1);
            }
            default -> throw new IllegalArgumentException("unknown signing " + how);
        };
    }

    /** A logout token as Keycloak sends it (OIDC Back-Channel Logout 1.0 §2.4), before the spec's changes. */
    JsonObject logoutClaims(String sub) {
        long now = System.currentTimeMillis() / 1000;
        return new JsonObject()
                .put("iss", realm.issuer())
                .put("aud", "demo-app")
                .put("iat", now)
                .put("exp", now + 120)
                .put("jti", UUID.randomUUID().toString())
                .put("sub", sub)
                .put("events", new JsonObject().put(BackchannelLogoutHandler.EVENT, new JsonObject()));
    }

    private void merge(JsonObject target, JsonNode overrides) {
        if (overrides == null || !overrides.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = overrides.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                target.remove(e.getKey());
            } else {
                target.put(e.getKey(), value(e.getValue()));
            }
        }
    }

    /** JSON tree → Vert.x JSON value, with {@code now±n} strings as epoch seconds and {@code {{iss}}} filled in. */
    private Object value(JsonNode node) {
        if (node.isTextual()) {
            Matcher m = NOW.matcher(node.asText());
            if (m.matches()) {
                return System.currentTimeMillis() / 1000 + (m.group(1) == null ? 0 : Long.parseLong(m.group(1)));
            }
            return node.asText().replace("{{iss}}", realm.issuer());
        }
        if (node.isObject()) {
            JsonObject o = new JsonObject();
            node.fields().forEachRemaining(e -> o.put(e.getKey(), value(e.getValue())));
            return o;
        }
        if (node.isArray()) {
            JsonArray a = new JsonArray();
            node.forEach(n -> a.add(value(n)));
            return a;
        }
        if (node.isIntegralNumber()) {
            return node.isLong() || node.isInt() ? (Object) node.asLong() : node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        return null;
    }

    private String times(String json) {
        long now = System.currentTimeMillis() / 1000;
        String out = json.replace("{{iss}}", realm.issuer());
        Matcher m = Pattern.compile("\"now([+-]\\d+)?\"").matcher(out);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Long.toString(now + (m.group(1) == null ? 0 : Long.parseLong(m.group(1)))));
        }
        return m.appendTail(sb).toString();
    }

    private String pem() {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(key.pair().getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    private static byte[] rs256(TestKey signer, String input) {
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(signer.pair().getPrivate());
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return s.sign();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(String alg, byte[] secret, String input) {
        try {
            Mac mac = Mac.getInstance(alg);
            mac.init(new SecretKeySpec(secret, alg));
            return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode emptySpec() {
        return JSON.createObjectNode();
    }
}
