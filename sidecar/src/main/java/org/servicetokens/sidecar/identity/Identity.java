package org.servicetokens.sidecar.identity;

import java.util.List;
import java.util.Map;
import org.servicetokens.common.NetworkRange;

/**
 * Who is calling, as proven by a verified Keycloak access token. {@link #email()} is the address only when Keycloak
 * marked it verified ({@code email_verified: true}), else null. Immutable as far as callers can tell, and
 * shared between requests through the verified-token cache. {@link #toString()} leaves the token out:
 * identities get logged.
 *
 * <p>The verified-token cache keeps one identity per token without the token itself (see {@link #forToken}): each
 * request gets a copy carrying its own, byte-identical token. Two memos ride along, shared by those copies, so that
 * a cache hit costs almost nothing: the header block forwarded to the app (built once by {@link IdentityHeaders},
 * without the token) and the revocation generation at which this identity was last found not revoked (see
 * {@code RevocationStore}). Both are derived data; losing them only costs a recomputation.
 */
public final class Identity {

    public enum Type {
        USER,
        SERVICE;

        public String wireName() {
            return this == USER ? "user" : "service";
        }
    }

    private final Type type;
    private final String subject;
    private final String username;
    private final String email;
    private final String clientId;
    private final String tokenId;
    private final String tokenName;
    private final String secretId;
    private final List<String> roles;
    private final Map<String, List<String>> clientRoles;
    private final List<String> groups;
    private final long issuedAt;
    private final long expiresAt;
    private final String sessionId;
    /** The access token (a String, or the verifier's pre-encoded ASCII bytes); null in a cached template. */
    private final CharSequence token;
    /** The {@code service_token.networks} claim, parsed; null when the token may be used from anywhere. */
    private final List<NetworkRange> networks;

    /** The identity whose memos this one shares ({@link #forToken}), or null: this one holds its own. */
    private final Identity memos;

    /** Immutable once built (final fields), so a racy first publication between event loops is harmless. */
    private IdentityHeaders.Block headerBlock;

    private volatile long notRevokedAsOf = -1;

    /** An identity not tied to a Keycloak SSO session (no {@code sid}) nor naming a service-token secret. */
    public Identity(
            Type type,
            String subject,
            String username,
            String email,
            String clientId,
            String tokenId,
            String tokenName,
            List<String> roles,
            Map<String, List<String>> clientRoles,
            List<String> groups,
            long issuedAt,
            long expiresAt,
            String token) {
        this(
                type,
                subject,
                username,
                email,
                clientId,
                tokenId,
                tokenName,
                null,
                roles,
                clientRoles,
                groups,
                issuedAt,
                expiresAt,
                null,
                token);
    }

    /** An identity that names no service-token secret. */
    public Identity(
            Type type,
            String subject,
            String username,
            String email,
            String clientId,
            String tokenId,
            String tokenName,
            List<String> roles,
            Map<String, List<String>> clientRoles,
            List<String> groups,
            long issuedAt,
            long expiresAt,
            String sessionId,
            String token) {
        this(
                type,
                subject,
                username,
                email,
                clientId,
                tokenId,
                tokenName,
                null,
                roles,
                clientRoles,
                groups,
                issuedAt,
                expiresAt,
                sessionId,
                token);
    }

    /**
     * @param secretId  the {@code service_token.secret} claim: which of the service token's secrets minted this JWT
     *                  (null when the claim is missing); per-secret revocations match on it
     * @param issuedAt  {@code iat}, epoch seconds; revocations cut off tokens issued before a time
     * @param sessionId Keycloak's SSO session ({@code sid}) or null; a back-channel logout of it revokes the token
     * @param token     the verified access token, forwarded as {@code X-Access-Jwt-Assertion}; never logged
     */
    public Identity(
            Type type,
            String subject,
            String username,
            String email,
            String clientId,
            String tokenId,
            String tokenName,
            String secretId,
            List<String> roles,
            Map<String, List<String>> clientRoles,
            List<String> groups,
            long issuedAt,
            long expiresAt,
            String sessionId,
            String token) {
        this(
                type,
                subject,
                username,
                email,
                clientId,
                tokenId,
                tokenName,
                secretId,
                roles,
                clientRoles,
                groups,
                issuedAt,
                expiresAt,
                sessionId,
                token,
                null,
                null);
    }

    // Every field final, networks too: identities cross event loops through the verified-token cache.
    private Identity(
            Type type,
            String subject,
            String username,
            String email,
            String clientId,
            String tokenId,
            String tokenName,
            String secretId,
            List<String> roles,
            Map<String, List<String>> clientRoles,
            List<String> groups,
            long issuedAt,
            long expiresAt,
            String sessionId,
            CharSequence token,
            List<NetworkRange> networks,
            Identity memos) {
        this.memos = memos;
        this.networks = networks;
        this.type = type;
        this.subject = subject;
        this.username = username;
        this.email = email;
        this.clientId = clientId;
        this.tokenId = tokenId;
        this.tokenName = tokenName;
        this.secretId = secretId;
        this.roles = roles;
        this.clientRoles = clientRoles;
        this.groups = groups;
        this.issuedAt = issuedAt;
        this.expiresAt = expiresAt;
        this.sessionId = sessionId;
        this.token = token;
    }

    public Type type() {
        return type;
    }

    public String subject() {
        return subject;
    }

    public String username() {
        return username;
    }

    public String email() {
        return email;
    }

    public String clientId() {
        return clientId;
    }

    public String tokenId() {
        return tokenId;
    }

    public String tokenName() {
        return tokenName;
    }

    public String secretId() {
        return secretId;
    }

    public List<String> roles() {
        return roles;
    }

    public Map<String, List<String>> clientRoles() {
        return clientRoles;
    }

    public List<String> groups() {
        return groups;
    }

    public long issuedAt() {
        return issuedAt;
    }

    public long expiresAt() {
        return expiresAt;
    }

    public String sessionId() {
        return sessionId;
    }

    /** The access token, or null for an identity kept without it (a cached template). */
    public String token() {
        return token == null ? null : token.toString();
    }

    /** The token as given: a String, or the verifier's header-ready ASCII bytes ({@code AsciiString}). */
    CharSequence tokenValue() {
        return token;
    }

    IdentityHeaders.Block headerBlock() {
        return memos == null ? headerBlock : memos.headerBlock;
    }

    void headerBlock(IdentityHeaders.Block block) {
        if (memos == null) {
            headerBlock = block;
        } else {
            memos.headerBlock = block;
        }
    }

    public Identity withType(Type newType) {
        if (newType == type) {
            return this;
        }
        return new Identity(
                newType,
                subject,
                username,
                email,
                clientId,
                tokenId,
                tokenName,
                secretId,
                roles,
                clientRoles,
                groups,
                issuedAt,
                expiresAt,
                sessionId,
                token,
                networks,
                null);
    }

    /** This identity limited to {@code ranges} (the {@code service_token.networks} claim); a copy. */
    public Identity withNetworks(List<NetworkRange> ranges) {
        return new Identity(
                type,
                subject,
                username,
                email,
                clientId,
                tokenId,
                tokenName,
                secretId,
                roles,
                clientRoles,
                groups,
                issuedAt,
                expiresAt,
                sessionId,
                token,
                List.copyOf(ranges),
                null);
    }

    /**
     * This identity for one request that presented {@code token}: a shallow copy sharing this one's memos (header
     * block, revocation check). The verified-token cache holds identities without their token (a second copy of a
     * ~1 KB string per entry); each use gets one back this way.
     *
     * @param token the request's access token, byte for byte the one verified; forwarded as
     *              {@code X-Access-Jwt-Assertion}
     */
    public Identity forToken(CharSequence token) {
        Identity holder = memos == null ? this : memos;
        return new Identity(
                type,
                subject,
                username,
                email,
                clientId,
                tokenId,
                tokenName,
                secretId,
                roles,
                clientRoles,
                groups,
                issuedAt,
                expiresAt,
                sessionId,
                token,
                networks,
                holder);
    }

    /** The allowed networks, or null when the token may be used from anywhere. */
    public List<NetworkRange> networks() {
        return networks;
    }

    /**
     * Whether a request from {@code clientAddress} ({@link NetworkRange#parseAddress} bytes, null when unknown) may
     * carry this identity: always without networks; else only from inside one of them (an unknown address never).
     */
    public boolean allowsAddress(byte[] clientAddress) {
        if (networks == null) {
            return true;
        }
        return clientAddress != null && networks.stream().anyMatch(range -> range.contains(clientAddress));
    }

    /** The revocation generation at which this identity was last checked and found not revoked; -1 if never. */
    public long notRevokedAsOf() {
        return memos == null ? notRevokedAsOf : memos.notRevokedAsOf;
    }

    public void markNotRevokedAsOf(long generation) {
        if (memos == null) {
            notRevokedAsOf = generation;
        } else {
            memos.notRevokedAsOf = generation;
        }
    }

    @Override
    public String toString() {
        return "Identity[type=" + type + ", subject=" + subject + ", clientId=" + clientId + ", tokenName=" + tokenName
                + "]";
    }
}
