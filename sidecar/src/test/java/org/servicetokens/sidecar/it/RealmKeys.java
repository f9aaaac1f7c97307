package org.servicetokens.sidecar.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import org.servicetokens.keycloak.it.Http;

/** What an app behind the sidecar does with X-Access-Jwt-Assertion: verify it against the realm's JWKS itself. */
final class RealmKeys {

    private RealmKeys() {}

    /** True when {@code jwt} is RS256-signed by a key the realm publishes. */
    static boolean signedByRealm(String realmUrl, String jwt) throws Exception {
        String[] parts = jwt.split("\\.");
        JsonNode header = Http.JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        if (!"RS256".equals(header.path("alg").asText())) {
            return false;
        }
        JsonNode jwks = Http.send(HttpRequest.newBuilder(URI.create(realmUrl + "/protocol/openid-connect/certs")))
                .json();
        for (JsonNode key : jwks.get("keys")) {
            if (!key.path("kid").asText().equals(header.path("kid").asText())
                    || !"RSA".equals(key.path("kty").asText())) {
                continue;
            }
            PublicKey publicKey = KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(
                            new BigInteger(
                                    1,
                                    Base64.getUrlDecoder().decode(key.get("n").asText())),
                            new BigInteger(
                                    1,
                                    Base64.getUrlDecoder().decode(key.get("e").asText()))));
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initVerify(publicKey);
            rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return rs256.verify(Base64.getUrlDecoder().decode(parts[2]));
        }
        return false;
    }
}
