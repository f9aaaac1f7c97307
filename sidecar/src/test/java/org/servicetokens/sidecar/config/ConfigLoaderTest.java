package org.servicetokens.sidecar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path file(String yaml) throws Exception {
        Path p = dir.resolve("sidecar.yaml");
        Files.writeString(p, yaml);
        return p;
    }

    @Test
    void defaultsWorkWithTheDemo() {
        SidecarConfig c = ConfigLoader.load(null, Map.of());
        assertEquals(8000, c.listen.port);
        assertEquals(9091, c.management.port);
        assertEquals("http://localhost:8081", c.upstream.url);
        assertEquals("http://localhost:8080/realms/demo", c.keycloak.issuer);
        assertEquals("demo-app", c.app.clientId);
        assertTrue(c.cookies.secure);
        assertTrue(c.policy.rules.isEmpty());
        assertEquals(List.of("KC-Access-Client-Id", "CF-Access-Client-Id"), c.credentials.clientIdHeaders);
    }

    @Test
    void envAloneConfiguresEverything() {
        SidecarConfig c = ConfigLoader.load(
                null,
                Map.of(
                        "SIDECAR_KEYCLOAK_ISSUER", "https://sso.example.com/realms/prod",
                        "SIDECAR_UPSTREAM_URL", "http://app:3000",
                        "SIDECAR_APP_CLIENT_ID", "shop",
                        "SIDECAR_LISTEN_PORT", "9000",
                        "SIDECAR_COOKIES_SECURE", "false",
                        "SIDECAR_UPSTREAM_TIMEOUT", "1500ms",
                        "SIDECAR_KEYCLOAK_LEEWAY", "PT10S",
                        "SIDECAR_CREDENTIALS_CLIENT_ID_HEADERS", "X-Id, Y-Id",
                        "SIDECAR_CREDENTIALS_CLIENT_SECRET_HEADERS", "[X-Secret, Y-Secret]",
                        "SIDECAR_POLICY_RULES",
                                "[{path: /health, allow: public}, {path: /admin/**, methods: [POST], allow: {roles: [admin]}}]"));
        assertEquals("https://sso.example.com/realms/prod", c.keycloak.issuer);
        assertEquals("http://app:3000", c.upstream.url);
        assertEquals("shop", c.app.clientId);
        assertEquals(9000, c.listen.port);
        assertFalse(c.cookies.secure);
        assertEquals(Duration.ofMillis(1500), c.upstream.timeout);
        assertEquals(Duration.ofSeconds(10), c.keycloak.leeway);
        assertEquals(List.of("X-Id", "Y-Id"), c.credentials.clientIdHeaders);
        assertEquals(List.of("X-Secret", "Y-Secret"), c.credentials.clientSecretHeaders);
        assertEquals(2, c.policy.rules.size());
        assertEquals("/admin/**", c.policy.rules.get(1).path);
    }

    @Test
    void fileThenEnvOverrides() throws Exception {
        Path f = file("""
        listen:
          port: 8100
        upstream:
          url: http://localhost:9999
          pool-size: 8
        app:
          client-id: from-file
        policy:
          rules:
            - path: /public/**
              allow: public
            - path: /api/**
              methods: [GET]
              allow:
                types: [service]
                clientRoles: {shop: [reader]}
                emailDomains: ["@example.com"]
        """);
        SidecarConfig c = ConfigLoader.load(f, Map.of("SIDECAR_APP_CLIENT_ID", "from-env"));
        assertEquals(8100, c.listen.port);
        assertEquals(8, c.upstream.poolSize);
        assertEquals("from-env", c.app.clientId);
        assertEquals(2, c.policy.rules.size());
    }

    @Test
    void everyBadKeyIsReportedAtOnce() throws Exception {
        Path f = file("""
        listen:
          port: abc
          colour: blue
        upstream:
          url: ftp://x
          timeout: soon
        keycloak:
          issuer: http://kc/realms/demo/
          leeway: 60s
        cookies:
          secure: maybe
        cluster:
          members: [a:7800]
        policy:
          rules:
            - path: api
              methods: [FETCH]
              allow: everyone
            - path: /x
              allow: {teams: [a]}
        """);
        ConfigException e =
                assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of("SIDECAR_MANAGEMENT_PORT", "x")));
        String all = String.join("\n", e.problems());
        for (String key : List.of(
                "listen.port",
                "listen.colour: unknown key",
                "upstream.timeout",
                "cookies.secure",
                "management.port (from SIDECAR_MANAGEMENT_PORT)")) {
            assertTrue(all.contains(key), "no message for " + key + " in:\n" + all);
        }
        // Kind errors stop before meaning checks; fix them and the meaning problems show, each naming its key.
        Path g = file("""
        upstream:
          url: ftp://x
        keycloak:
          issuer: http://kc/realms/demo/
          leeway: 60s
        cluster:
          members: [a]
        policy:
          rules:
            - path: api
              methods: [FETCH]
              allow: everyone
            - path: /x
              allow: {teams: [a]}
        """);
        ConfigException e2 = assertThrows(ConfigException.class, () -> ConfigLoader.load(g, Map.of()));
        String all2 = String.join("\n", e2.problems());
        for (String key : List.of(
                "upstream.url",
                "keycloak.issuer",
                "keycloak.leeway",
                "cluster.members",
                "policy.rules[0].path",
                "policy.rules[0].methods",
                "policy.rules[0].allow",
                "policy.rules[1].allow.teams",
                "cluster.secret")) {
            assertTrue(all2.contains(key), "no message for " + key + " in:\n" + all2);
        }
        assertEquals(9, e2.problems().size(), all2);
    }

    @Test
    void requestLineKeys() throws Exception {
        SidecarConfig d = ConfigLoader.load(null, Map.of());
        assertEquals(List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"), d.listen.methods);
        assertFalse(d.listen.h2c, "h2c is off unless configured");
        assertTrue(d.headers.stripExtra.containsAll(
                List.of("X-Original-URL", "X-HTTP-Method-Override", "Forwarded", "CF-Connecting-IP")));
        assertEquals(22, d.headers.stripExtra.size());

        SidecarConfig c = ConfigLoader.load(file("""
        listen:
          methods: [GET, HEAD, PROPFIND]
          h2c: true
          public-url: https://app.example.com/
        headers:
          strip-extra: [X-Original-URL, X_Tenant]
        policy:
          rules:
            - {path: /dav/**, methods: [propfind], ignoreCase: true, allow: public}
            - {path: /x/**, ignore-case: true, allow: public}
        """), Map.of("SIDECAR_HEADERS_STRIP_EXTRA", "X-One,X-Two"));
        assertEquals(List.of("GET", "HEAD", "PROPFIND"), c.listen.methods);
        assertTrue(c.listen.h2c);
        assertEquals(List.of("X-One", "X-Two"), c.headers.stripExtra, "env wins");
        assertTrue(c.policy.rules.get(0).ignoreCase);
        assertTrue(c.policy.rules.get(1).ignoreCase);

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file("""
        listen:
          methods: [GET, delete, "GE T", CONNECT]
          public-url: https://user:pw@app.example.com
          trusted-proxies: [10.0.0.0/8, 10.1.2.3/8]
        headers:
          strip-extra: ["Bad Header", Content-Length, host, x_upgrade, Upgrade]
        policy:
          rules:
            - {path: /a, methods: [POST], allow: public}
            - {path: /b, ignorecase: true, allow: public}
        """), Map.of()));
        String all = String.join("\n", e.problems());
        for (String expected : List.of(
                "listen.methods: 'delete' must be an upper-case",
                "listen.methods: 'GE T'",
                "listen.methods: CONNECT",
                "listen.public-url: must not carry user information",
                "headers.strip-extra: 'Bad Header'",
                "headers.strip-extra: Content-Length",
                "headers.strip-extra: host",
                "headers.strip-extra: Upgrade",
                "policy.rules[0].methods: POST is not in listen.methods",
                "policy.rules[1].ignorecase: unknown key",
                "listen.trusted-proxies: '10.1.2.3/8' has address bits set")) {
            assertTrue(all.contains(expected), "no message '" + expected + "' in:\n" + all);
        }
        assertEquals(11, e.problems().size(), all);
    }

    @Test
    void unreadableOrInvalidYaml() throws Exception {
        assertThrows(ConfigException.class, () -> ConfigLoader.load(dir.resolve("missing.yaml"), Map.of()));
        ConfigException e =
                assertThrows(ConfigException.class, () -> ConfigLoader.load(file("listen: [unclosed"), Map.of()));
        assertTrue(e.getMessage().contains("not valid YAML"));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(file("- just\n- a list"), Map.of()));
        assertEquals(8000, ConfigLoader.load(file(""), Map.of()).listen.port, "an empty file means defaults");
    }

    @Test
    void secretsAreNotEchoedInMessages() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> ConfigLoader.load(null, Map.of("SIDECAR_APP_CLIENT_SECRET", "", "SIDECAR_LISTEN_PORT", "99999")));
        assertTrue(e.getMessage().contains("listen.port"));
    }

    @Test
    void envNamesAndKeyListing() {
        assertEquals("SIDECAR_UPSTREAM_URL", ConfigLoader.envName("upstream.url"));
        assertEquals("SIDECAR_APP_CLIENT_ID", ConfigLoader.envName("app.client-id"));
        Map<String, String> keys = ConfigLoader.keysWithDefaults();
        for (String contract : List.of(
                "listen.host",
                "listen.port",
                "management.port",
                "upstream.url",
                "keycloak.issuer",
                "app.client-id",
                "app.client-secret",
                "cookies.secure",
                "policy.rules",
                "cluster.members")) {
            assertTrue(keys.containsKey(contract), contract);
        }
        assertEquals("8000", keys.get("listen.port"));
        assertEquals("30s", keys.get("upstream.timeout"));
    }

    @Test
    void docsListEveryKeyWithItsDefault() throws Exception {
        Path doc = Path.of("..", "docs", "sidecar-config.md");
        String text = Files.readString(doc);
        for (Map.Entry<String, String> e : ConfigLoader.keysWithDefaults().entrySet()) {
            assertTrue(text.contains("`" + e.getKey() + "`"), "docs/sidecar-config.md lacks " + e.getKey());
            assertTrue(text.contains(ConfigLoader.envName(e.getKey())), "docs lack the env name of " + e.getKey());
        }
    }

    @Test
    void exampleFileIsValid() {
        SidecarConfig c = ConfigLoader.load(Path.of("sidecar.example.yaml"), Map.of());
        assertEquals(4, c.policy.rules.size());
        assertFalse(c.cookies.secure);
    }

    @Test
    void helpListsKeys() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        org.servicetokens.sidecar.MainAccess.help(new PrintStream(out, true, StandardCharsets.UTF_8));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("--config"));
        assertTrue(help.contains("SIDECAR_KEYCLOAK_ISSUER"));
        assertTrue(help.contains("upstream.url"));
    }

    @Test
    void forwardAuthTrustedProxiesAreStrictCidrRanges() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> ConfigLoader.load(
                        null, Map.of("SIDECAR_FORWARD_AUTH_TRUSTED_PROXIES", "127.0.0.1/32, localhost, 10.1.2.3/8")));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("forward-auth.trusted-proxies: 'localhost'"), all);
        assertTrue(all.contains("forward-auth.trusted-proxies: '10.1.2.3/8' has address bits set"), all);
        assertEquals(
                List.of("127.0.0.1/32", "::1"),
                ConfigLoader.load(null, Map.of("SIDECAR_FORWARD_AUTH_TRUSTED_PROXIES", "127.0.0.1/32, ::1"))
                        .forwardAuth
                        .trustedProxies);
    }

    @Test
    void verifiedCacheSizeIsPerProcessAndBounded() {
        assertEquals(100_000, ConfigLoader.load(null, Map.of()).tokens.verifiedCacheSize);
        assertEquals(
                0,
                ConfigLoader.load(null, Map.of("SIDECAR_TOKENS_VERIFIED_CACHE_SIZE", "0")).tokens.verifiedCacheSize,
                "0 turns the cache off");
        for (String bad : List.of("-1", "10000001")) {
            ConfigException e = assertThrows(
                    ConfigException.class,
                    () -> ConfigLoader.load(null, Map.of("SIDECAR_TOKENS_VERIFIED_CACHE_SIZE", bad)));
            assertTrue(
                    String.join("\n", e.problems()).contains("tokens.verified-cache-size: must be 0 (off) to 10000000"),
                    bad + ": " + e.problems());
        }
    }
}
