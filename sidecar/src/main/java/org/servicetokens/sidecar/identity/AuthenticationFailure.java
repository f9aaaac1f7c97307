package org.servicetokens.sidecar.identity;

/**
 * Why a credential gave no identity, and how the caller is answered. Every step that can refuse a credential
 * (token verification, the revocation check, the client_credentials grant and its admission, a browser session)
 * fails with this one type, so the answer is decided where the reason is known and written in one place.
 *
 * <ul>
 *   <li>{@link #rejected}: 401 {@code invalid_token} with {@code WWW-Authenticate: Bearer error="invalid_token"}
 *   (RFC 6750 §3.1): a credential was presented and is not valid.</li>
 *   <li>{@link #sessionEnded}: 401 {@code unauthorized} without the error attribute (a browser session ended:
 *   the request counts as one without credentials), clearing the session cookie; a browser navigation is sent to
 *   log in again instead ({@link #offersLogin()}).</li>
 *   <li>{@link #forbidden}: 403 {@code forbidden}: the credential is valid, but not for this app.</li>
 *   <li>{@link #rateLimited}: 429 {@code too_many_requests} with {@code Retry-After} (RFC 6585 §4).</li>
 *   <li>{@link #unavailable}: 503 {@code temporarily_unavailable} with {@code Retry-After} (RFC 9110 §15.6.4):
 *   Keycloak or its keys cannot be reached now; says nothing about the credential.</li>
 * </ul>
 * {@link #reason()} is a short code ({@code [a-z_]}) for the JSON answer, the access log and metrics; it never
 * contains a token or secret. No stack trace is filled in: refusals are expected, and many.
 */
public final class AuthenticationFailure extends RuntimeException {

    /** The reason of a token found revoked (back-channel logout, rotation, deletion). */
    public static final String REVOKED = "revoked";

    private final int status;
    private final String error;
    private final long retryAfterSeconds;
    private final boolean offersLogin;
    private final String setCookie;

    private AuthenticationFailure(
            int status, String error, String reason, long retryAfterSeconds, boolean offersLogin, String setCookie) {
        super(reason, null, false, false);
        this.status = status;
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
        this.offersLogin = offersLogin;
        this.setCookie = setCookie;
    }

    /** 401 {@code invalid_token}: the presented credential is not valid (RFC 6750 §3.1). */
    public static AuthenticationFailure rejected(String reason) {
        return new AuthenticationFailure(401, "invalid_token", reason, 0, false, null);
    }

    /**
     * 401 {@code unauthorized}: a browser session is over (logged out, expired, refresh refused).
     *
     * @param clearCookie the {@code Set-Cookie} value that removes the session cookie
     */
    public static AuthenticationFailure sessionEnded(String reason, String clearCookie) {
        return new AuthenticationFailure(401, "unauthorized", reason, 0, true, clearCookie);
    }

    /** 403 {@code forbidden}: the credential is valid, but not for this app. */
    public static AuthenticationFailure forbidden(String reason) {
        return new AuthenticationFailure(403, "forbidden", reason, 0, false, null);
    }

    /** 429 {@code too_many_requests}; {@code Retry-After} is {@code retryAfterSeconds}, at least 1. */
    public static AuthenticationFailure rateLimited(String reason, long retryAfterSeconds) {
        return new AuthenticationFailure(429, "too_many_requests", reason, retryAfterSeconds, false, null);
    }

    /** 503 {@code temporarily_unavailable}; {@code Retry-After} is {@code retryAfterSeconds}, at least 1. */
    public static AuthenticationFailure unavailable(String reason, long retryAfterSeconds) {
        return new AuthenticationFailure(503, "temporarily_unavailable", reason, retryAfterSeconds, false, null);
    }

    /** The short reason code. */
    public String reason() {
        return getMessage();
    }

    /** The HTTP status to answer: 401, 403, 429 or 503. */
    public int status() {
        return status;
    }

    /** The JSON answer's {@code error}. */
    public String error() {
        return error;
    }

    /** Cannot be decided now (503): the credential may well be valid. */
    public boolean unavailable() {
        return status == 503;
    }

    /** A 401 that names the presented token invalid: its challenge carries {@code error="invalid_token"}. */
    public boolean invalidToken() {
        return "invalid_token".equals(error);
    }

    /** The {@code Retry-After} value in seconds (at least 1) for 429 and 503; 0 for the others. */
    public long retryAfterSeconds() {
        return status == 429 || status == 503 ? Math.max(1, retryAfterSeconds) : 0;
    }

    /** A browser navigation may be sent to log in instead of hearing this refusal. */
    public boolean offersLogin() {
        return offersLogin;
    }

    /** A {@code Set-Cookie} value to send with the answer (the cleared session cookie), or null. */
    public String setCookie() {
        return setCookie;
    }
}
