package org.servicetokens.sidecar.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.servicetokens.sidecar.config.ConfigException;
import org.servicetokens.sidecar.config.ConfigLoader;
import org.servicetokens.sidecar.config.SidecarConfig;

/** TLS settings fail closed at start: a clear configuration error, never a silent fall-back. */
class TlsValidationTest {

    @TempDir
    Path dir;

    @Test
    void aMissingCaFileIsAConfigurationError() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> ConfigLoader.load(
                        null,
                        Map.of(
                                "SIDECAR_KEYCLOAK_ISSUER",
                                "https://keycloak.example/realms/demo",
                                "SIDECAR_KEYCLOAK_TLS_CA_FILE",
                                dir.resolve("missing.pem").toString())));
        assertTrue(e.getMessage().contains("keycloak.tls.ca-file: no readable file"), e.getMessage());
    }

    @Test
    void wellFormedSettingsLoad() throws Exception {
        TestPki ca = new TestPki("CA");
        ca.writeCa(dir.resolve("ca.pem"));
        ca.issue("localhost", dir.resolve("tls.pem"), dir.resolve("tls.key"));
        SidecarConfig config = ConfigLoader.load(
                null,
                Map.of(
                        "SIDECAR_KEYCLOAK_ISSUER", "https://keycloak.example/realms/demo",
                        "SIDECAR_KEYCLOAK_TLS_CA_FILE", dir.resolve("ca.pem").toString(),
                        "SIDECAR_UPSTREAM_URL", "https://app.internal:8443",
                        "SIDECAR_UPSTREAM_TLS_CA_FILE", dir.resolve("ca.pem").toString(),
                        "SIDECAR_LISTEN_TLS_CERT_FILE", dir.resolve("tls.pem").toString(),
                        "SIDECAR_LISTEN_TLS_KEY_FILE", dir.resolve("tls.key").toString()));
        assertEquals(dir.resolve("ca.pem").toString(), config.keycloak.tls.caFile);
        assertTrue(config.listen.tls.enabled());
    }

    @Test
    void eachMistakeIsNamed() throws Exception {
        Files.writeString(
                dir.resolve("junk.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        Files.writeString(dir.resolve("nokey.pem"), "hello");
        ClientTls both = new ClientTls();
        both.caFile = dir.resolve("junk.pem").toString();
        both.trustAllDevelopmentOnly = true;
        ClientTls junk = new ClientTls();
        junk.caFile = dir.resolve("junk.pem").toString();
        ServerTls half = new ServerTls();
        half.certFile = dir.resolve("junk.pem").toString();
        List<String> problems = new java.util.ArrayList<>();
        TlsValidation.validate(both, "https://k/realms/r", junk, "http://app:8080", half, problems);
        assertEquals(
                List.of(
                        "keycloak.tls: ca-file and trust-all-development-only exclude each other",
                        "upstream.tls: set, but upstream.url is not an https URL",
                        "upstream.tls.ca-file: '" + junk.caFile
                                + "' is not a PEM certificate file (CertificateException)",
                        "listen.tls: cert-file and key-file must be set together"),
                problems);

        ServerTls noKey = new ServerTls();
        noKey.certFile = dir.resolve("junk.pem").toString();
        noKey.keyFile = dir.resolve("nokey.pem").toString();
        problems.clear();
        TlsValidation.validate(new ClientTls(), "http://k/realms/r", new ClientTls(), "http://app", noKey, problems);
        assertTrue(
                problems.contains("listen.tls.key-file: '" + noKey.keyFile + "' holds no PEM private key"),
                problems.toString());
    }
}
