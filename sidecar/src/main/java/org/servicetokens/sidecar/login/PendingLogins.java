package org.servicetokens.sidecar.login;

import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.servicetokens.sidecar.session.SessionCookies;
import org.servicetokens.sidecar.util.Hashing;

/**
 * Pending logins, kept by the browser that started them and by nothing else: each one is a cookie named
 * {@code <login cookie>-<tag of its state>}, holding the login's PKCE verifier, nonce, return URL, redirect URI,
 * expiry and a hash of its state, sealed with AES-256-GCM under a key every replica shares (so any replica can finish
 * a login another started). An anonymous navigation therefore writes nothing on the server: it cannot evict, crowd out
 * or grow anyone's session, and costs one random state and one encryption.
 *
 * <p>Bounds: at most {@value #MAX_PER_BROWSER} pending logins per browser (the oldest cookies are cleared when a
 * new login starts), a return URL of at most {@value #MAX_RETURN_URL} characters (longer ones become {@code /}), a
 * redirect URI of at most {@value #MAX_REDIRECT_URI}; a cookie stays under 2 KB. The callback clears the state's
 * cookie whatever its outcome, so a state works once in this browser; a copied cookie could be replayed only with a
 * code Keycloak has already redeemed (authorization codes are single-use, RFC 6749 §4.1.2).
 */
public final class PendingLogins {

    public static final int MAX_PER_BROWSER = 3;
    public static final int MAX_RETURN_URL = 1024;
    public static final int MAX_REDIRECT_URI = 512;
    /** Larger cookies than any we set are not even decrypted. */
    private static final int MAX_COOKIE_VALUE = 2600;

    private static final int IV_BYTES = 12;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    /** What the callback found for its state. */
    public record Found(PendingLogin login, String refusal, String clearCookie) {}

    private final SessionCookies cookies;
    private final SecretKeySpec key;
    private final Duration timeout;

    public PendingLogins(SessionCookies cookies, byte[] key, Duration timeout) {
        this.cookies = cookies;
        this.key = new SecretKeySpec(key, "AES");
        this.timeout = timeout;
    }

    /** The pending login to seal for a new {@code state}; the return URL is capped here. */
    public PendingLogin create(String state, String verifier, String nonce, String returnUrl, String redirectUri) {
        String kept = returnUrl.length() > MAX_RETURN_URL ? ReturnUrl.HOME : returnUrl;
        return new PendingLogin(
                hash(state),
                verifier,
                nonce,
                kept,
                redirectUri,
                System.currentTimeMillis() / 1000 + timeout.toSeconds());
    }

    /**
     * The {@code Set-Cookie} values that store {@code login} in this browser: its own cookie, and the clearing of this
     * browser's expired, unreadable or oldest-beyond-the-limit login cookies.
     */
    public List<String> store(HttpServerRequest request, String state, PendingLogin login) {
        long now = System.currentTimeMillis() / 1000;
        List<String> out = new ArrayList<>();
        List<Object[]> live = new ArrayList<>(); // {name, expiresAt}
        for (String[] c : loginCookies(request)) {
            PendingLogin other = c[1].length() > MAX_COOKIE_VALUE ? null : open(c[0], c[1]);
            if (other == null || other.expiresAt() < now) {
                out.add(cookies.clear(c[0]));
            } else {
                live.add(new Object[] {c[0], other.expiresAt()});
            }
        }
        live.sort(Comparator.comparingLong(o -> (Long) o[1]));
        for (int i = 0; i <= live.size() - MAX_PER_BROWSER; i++) {
            out.add(cookies.clear((String) live.get(i)[0]));
        }
        String name = nameFor(state);
        out.add(cookies.build(name, seal(name, login), timeout));
        return out;
    }

    /**
     * The pending login of {@code state} in this browser, or why there is none: {@code state_not_from_this_browser}
     * (this browser has no login cookie at all) or {@code unknown_state} (none for this state, unreadable, or
     * expired). {@code clearCookie} (may be null) removes the state's cookie: set it whatever the outcome.
     */
    public Found take(HttpServerRequest request, String state) {
        List<String[]> all = loginCookies(request);
        if (all.isEmpty()) {
            return new Found(null, "state_not_from_this_browser", null);
        }
        String name = nameFor(state);
        for (String[] c : all) {
            if (!c[0].equals(name)) {
                continue;
            }
            String clear = cookies.clear(name);
            PendingLogin login = c[1].length() > MAX_COOKIE_VALUE ? null : open(name, c[1]);
            boolean ours = login != null
                    && MessageDigest.isEqual(
                            login.stateHash().getBytes(StandardCharsets.US_ASCII),
                            hash(state).getBytes(StandardCharsets.US_ASCII));
            if (!ours || login.expiresAt() < System.currentTimeMillis() / 1000) {
                return new Found(null, "unknown_state", clear);
            }
            return new Found(login, null, clear);
        }
        return new Found(null, "unknown_state", null);
    }

    /** {@code name=value} pairs of this browser's login cookies (a bounded number: the header size is bounded). */
    private List<String[]> loginCookies(HttpServerRequest request) {
        String prefix = cookies.loginName() + "-";
        List<String[]> found = new ArrayList<>();
        for (String header : request.headers().getAll("Cookie")) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? "" : pair.substring(0, eq).trim();
                if (name.startsWith(prefix) && name.length() == prefix.length() + TAG_LENGTH && found.size() < 16) {
                    found.add(new String[] {name, pair.substring(eq + 1).trim()});
                }
            }
        }
        return found;
    }

    private static final int TAG_LENGTH = 12;

    String nameFor(String state) {
        String tag =
                B64.encodeToString(Hashing.sha256(("sidecar-login-tag|" + state).getBytes(StandardCharsets.US_ASCII)));
        return cookies.loginName() + "-" + tag.substring(0, TAG_LENGTH);
    }

    private static String hash(String state) {
        return HexFormat.of().formatHex(Hashing.sha256(state.getBytes(StandardCharsets.US_ASCII)));
    }

    /** AES-GCM with the cookie's name as associated data: a sealed value moved to another name does not open. */
    private String seal(String name, PendingLogin login) {
        try {
            byte[] iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            cipher.updateAAD(name.getBytes(StandardCharsets.US_ASCII));
            byte[] sealed = cipher.doFinal(login.encode().getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[IV_BYTES + sealed.length];
            System.arraycopy(iv, 0, out, 0, IV_BYTES);
            System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
            return B64.encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** The pending login sealed in {@code value} under {@code name}, or null (tampered, foreign key, not ours). */
    private PendingLogin open(String name, String value) {
        try {
            byte[] in = Base64.getUrlDecoder().decode(value);
            if (in.length <= IV_BYTES + 16) {
                return null;
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, IV_BYTES));
            cipher.updateAAD(name.getBytes(StandardCharsets.US_ASCII));
            return PendingLogin.decode(
                    new String(cipher.doFinal(in, IV_BYTES, in.length - IV_BYTES), StandardCharsets.UTF_8));
        } catch (GeneralSecurityException | RuntimeException e) {
            return null;
        }
    }
}
