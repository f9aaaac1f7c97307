package org.servicetokens.sidecar.jwt;

import java.util.LinkedHashMap;
import java.util.Map;
import org.servicetokens.sidecar.identity.Identity;

/**
 * Tokens this verticle has already verified, kept until their exp (one RS256 check costs ~40 µs; a
 * hash lookup takes it off the hot path). Keyed by the token itself (the identity holds it anyway: it is
 * forwarded as the assertion) through {@link TokenKey}, whose hash reads only the token's tail. Bounded LRU;
 * confined to one event loop, hence no locking. Revocation is checked by the caller on every use, hits included.
 */
final class VerifiedTokens {

    private final int capacity;
    private final LinkedHashMap<TokenKey, Identity> map;

    VerifiedTokens(int capacity) {
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<TokenKey, Identity> eldest) {
                return size() > VerifiedTokens.this.capacity;
            }
        };
    }

    Identity get(String token, long nowSeconds, long leewaySeconds) {
        if (capacity == 0) {
            return null;
        }
        TokenKey key = new TokenKey(token);
        Identity id = map.get(key);
        if (id != null && nowSeconds > id.expiresAt() + leewaySeconds) {
            map.remove(key);
            return null;
        }
        return id;
    }

    void put(String token, Identity identity) {
        if (capacity > 0) {
            map.put(new TokenKey(token), identity);
        }
    }

    void remove(String token) {
        map.remove(new TokenKey(token));
    }

    void clear() {
        map.clear();
    }

    int size() {
        return map.size();
    }

    /**
     * A token as a map key. {@code String.hashCode} of a fresh 1 KB header value walks every character on every
     * request; the last characters of a JWT are its signature, as good a hash as any. Equality still compares the
     * whole token, and only verified tokens are ever stored, so a caller choosing colliding tails gains nothing.
     */
    static final class TokenKey {

        private static final int HASHED_TAIL = 24;

        private final String token;
        private final int hash;

        TokenKey(String token) {
            this.token = token;
            int h = token.length();
            for (int i = Math.max(0, token.length() - HASHED_TAIL); i < token.length(); i++) {
                h = 31 * h + token.charAt(i);
            }
            this.hash = h;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TokenKey other && other.hash == hash && other.token.equals(token);
        }
    }
}
