package org.servicetokens.sidecar.tls;

/**
 * How the sidecar trusts an HTTPS server it calls (Keycloak: {@code keycloak.tls.*}; the application:
 * {@code upstream.tls.*}). Hostname verification is always on (RFC 9110 §4.3.4, RFC 6125), except under the
 * development switch.
 */
public class ClientTls {
    /**
     * PEM file of one or more CA certificates to trust instead of the JVM's default trust store (a private CA).
     * Empty: the JVM's trust store.
     */
    public String caFile = "";
    /**
     * Development only: trust any certificate and skip hostname verification. Logged as a warning at start; never
     * together with {@code ca-file}.
     */
    public boolean trustAllDevelopmentOnly = false;
}
