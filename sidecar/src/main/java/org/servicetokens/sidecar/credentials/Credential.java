package org.servicetokens.sidecar.credentials;

/**
 * A credential found on a request. Records here hold secrets: their {@code toString()} never shows them.
 */
public sealed interface Credential permits Credential.Bearer, Credential.ClientSecret, Credential.Session {

    /** The kind, as it appears in logs and metrics. */
    String kind();

    /**
     * The same credential, presented by the client at {@code address} (text, e.g. {@code 10.1.2.3}; null when unknown).
     * Only a service token's ID and secret carry it: the client credentials grant made for them names the client's
     * address to Keycloak, which judges the token's allowed networks by it. Other kinds are returned as they are.
     */
    default Credential from(String address) {
        return this;
    }

    /** {@code Authorization: Bearer <JWT>}. */
    record Bearer(String token) implements Credential {
        @Override
        public String kind() {
            return "bearer";
        }

        @Override
        public String toString() {
            return "Bearer[***]";
        }
    }

    /**
     * A service token's ID and secret, from the KC-/CF-Access headers or from HTTP Basic, and the address of the client
     * that presented them (as the sidecar judges it; null until the pipeline sets it, or when unknown).
     */
    record ClientSecret(String clientId, String secret, String source, String clientAddress) implements Credential {

        public ClientSecret(String clientId, String secret, String source) {
            this(clientId, secret, source, null);
        }

        @Override
        public ClientSecret from(String address) {
            return new ClientSecret(clientId, secret, source, address);
        }

        @Override
        public String kind() {
            return source;
        }

        @Override
        public String toString() {
            return "ClientSecret[clientId=" + clientId + ", source=" + source + ", clientAddress=" + clientAddress
                    + ", secret=***]";
        }
    }

    /** A browser session (cookie); produced by a {@link SessionCredentials} source, i.e. the login flow. */
    record Session(String sessionId) implements Credential {
        @Override
        public String kind() {
            return "session";
        }

        @Override
        public String toString() {
            return "Session[***]";
        }
    }
}
