package org.servicetokens.sidecar.support;

import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/** A signing key made with the JDK, its JWK, and JWT signing (RS256, PS256, ES256) without any JWT library. */
public record TestKey(String kid, String alg, KeyPair pair) {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    public static TestKey rsa(String kid) {
        return rsa(kid, "RS256");
    }

    public static TestKey rsa(String kid, String alg) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return new TestKey(kid, alg, g.generateKeyPair());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static TestKey ec(String kid) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return new TestKey(kid, "ES256", g.generateKeyPair());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public JsonObject jwk() {
        JsonObject jwk = new JsonObject().put("kid", kid).put("alg", alg).put("use", "sig");
        if (pair.getPublic() instanceof RSAPublicKey rsa) {
            return jwk.put("kty", "RSA")
                    .put("n", b64(unsigned(rsa.getModulus())))
                    .put("e", b64(unsigned(rsa.getPublicExponent())));
        }
        ECPublicKey ec = (ECPublicKey) pair.getPublic();
        return jwk.put("kty", "EC")
                .put("crv", "P-256")
                .put("x", b64(pad(unsigned(ec.getW().getAffineX()), 32)))
                .put("y", b64(pad(unsigned(ec.getW().getAffineY()), 32)));
    }

    public String sign(JsonObject claims) {
        return sign(new JsonObject().put("alg", alg).put("typ", "JWT").put("kid", kid), claims);
    }

    /** Signs with this key whatever header is given (so tests can lie in it). */
    public String sign(JsonObject header, JsonObject claims) {
        String input = b64(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
                + b64(claims.encode().getBytes(StandardCharsets.UTF_8));
        return input + "." + b64(signature(input.getBytes(StandardCharsets.US_ASCII)));
    }

    private byte[] signature(byte[] input) {
        try {
            Signature s;
            switch (alg) {
                case "RS256" -> s = Signature.getInstance("SHA256withRSA");
                case "PS256" -> {
                    s = Signature.getInstance("RSASSA-PSS");
                    s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                }
                case "ES256" -> s = Signature.getInstance("SHA256withECDSA");
                default -> throw new IllegalArgumentException(alg);
            }
            s.initSign(pair.getPrivate());
            s.update(input);
            byte[] sig = s.sign();
            return alg.equals("ES256") ? derToJose(sig) : sig;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** ECDSA: the JDK emits DER (SEQUENCE of two INTEGERs); JWS wants R || S, 32 bytes each. */
    private static byte[] derToJose(byte[] der) {
        int offset = der[1] == (byte) 0x81 ? 3 : 2;
        int rLen = der[offset + 1];
        byte[] r = Arrays.copyOfRange(der, offset + 2, offset + 2 + rLen);
        int sOff = offset + 2 + rLen;
        int sLen = der[sOff + 1];
        byte[] s = Arrays.copyOfRange(der, sOff + 2, sOff + 2 + sLen);
        byte[] out = new byte[64];
        byte[] r32 = pad(strip(r), 32);
        byte[] s32 = pad(strip(s), 32);
        System.arraycopy(r32, 0, out, 0, 32);
        System.arraycopy(s32, 0, out, 32, 32);
        return out;
    }

    private static byte[] strip(byte[] b) {
        int i = 0;
        while (i < b.length - 1 && b[i] == 0) {
            i++;
        }
        return Arrays.copyOfRange(b, i, b.length);
    }

    private static byte[] unsigned(BigInteger v) {
        return strip(v.toByteArray());
    }

    private static byte[] pad(byte[] b, int len) {
        if (b.length >= len) {
            return b;
        }
        byte[] out = new byte[len];
        System.arraycopy(b, 0, out, len - b.length, b.length);
        return out;
    }

    public static String b64(byte[] bytes) {
        return B64.encodeToString(bytes);
    }

    public static String b64(String s) {
        return b64(s.getBytes(StandardCharsets.UTF_8));
    }
}
