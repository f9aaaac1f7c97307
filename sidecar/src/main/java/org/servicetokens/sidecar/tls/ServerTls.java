package org.servicetokens.sidecar.tls;

import java.time.Duration;

/**
 * The sidecar's own TLS listener ({@code listen.tls.*}): off unless both files are set. The files are read again
 * when they change (checked every {@code reload-interval}), so a renewed certificate needs no restart.
 */
public class ServerTls {
    /** PEM certificate chain, leaf first. */
    public String certFile = "";
    /** PEM private key (PKCS#8 or PKCS#1) of the leaf certificate. */
    public String keyFile = "";
    /** How often the two files are checked for a change. */
    public Duration reloadInterval = Duration.ofSeconds(10);

    public boolean enabled() {
        return !certFile.isEmpty() || !keyFile.isEmpty();
    }
}
