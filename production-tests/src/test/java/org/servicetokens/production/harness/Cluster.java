package org.servicetokens.production.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The production topology, started once per test run and shared by every test class ({@link #get()}; stopped by a
 * shutdown hook when the test JVM ends): PostgreSQL 15, two Keycloak 26.7.3 nodes from the distribution with the
 * provider ({@code kc.sh build} once, the built distribution copied for the second node), TLS everywhere from a CA
 * made for the run, nginx as TLS load balancer whose URL is Keycloak's {@code --hostname}, and an SMTP sink.
 * The demo realm is imported through the load balancer.
 *
 * <p>The provider's jobs run on short intervals here (maintenance 2 s, grace check 1 s, pushes 1 s, last-used flush
 * 1 s) so the tests see many rounds, and each node waits {@value #EFFECT_DELAY_MILLIS} ms between claiming an
 * effect and performing it, which holds the window another node's job could race into wide open.
 */
public final class Cluster {

    public static final String REALM = "demo";
    public static final long EFFECT_DELAY_MILLIS = 1000;
    private static final Path ARTIFACTS = Path.of(System.getProperty("artifacts.dir", "target/artifacts"));
    private static final Path LOGS = Path.of("target", "production-logs").toAbsolutePath();
    private static Cluster instance;

    public final Path base;
    public final Pki pki;
    public final Postgres postgres;
    public final GreenMail mail;
    public final KeycloakNode a;
    public final KeycloakNode b;
    public final LoadBalancer lb;
    public final Https https;
    public final Map<String, Long> timings = new java.util.LinkedHashMap<>();
    private String adminToken;
    private Instant adminTokenUntil = Instant.MIN;

    /** The running cluster, started by the first caller. */
    public static synchronized Cluster get() {
        if (instance == null) {
            try {
                instance = new Cluster();
            } catch (Exception e) {
                throw new IllegalStateException("the production cluster did not start", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(instance::close, "cluster-stop"));
        }
        return instance;
    }

    private Cluster() throws IOException {
        long t0 = System.nanoTime();
        base = Files.createTempDirectory("service-tokens-prod-");
        // PostgreSQL's own user must reach its directory below this one.
        Proc.run(null, Map.of(), 10, "chmod", "755", base.toString());
        pki = Pki.create(base.resolve("pki"), "Service tokens test CA");
        https = new Https(pki.trust());
        postgres = Postgres.start(base.resolve("pg"));
        lap("postgres", t0);

        int smtpPort = Ports.free();
        mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();

        long t1 = System.nanoTime();
        Path homeA = base.resolve("kc-a");
        KeycloakNode.buildDistribution(ARTIFACTS.resolve("keycloak-quarkus-dist.zip"), providerJar(), homeA);
        lap("unzip and kc.sh build", t1);
        long t2 = System.nanoTime();
        Path homeB = base.resolve("kc-b");
        Proc.run(null, Map.of(), 300, "cp", "-a", homeA.toString(), homeB.toString());
        lap("copy of the built distribution", t2);

        int lbPort = Ports.free();
        List<String> options = nodeOptions(lbPort);
        String javaOpts =
                "-Djgroups.fd.port-offset=100 -Dservice-tokens.test.effect-delay-millis=" + EFFECT_DELAY_MILLIS;
        a = new KeycloakNode(
                "kc-a",
                homeA,
                options,
                Map.of(
                        "JAVA_OPTS_APPEND",
                        javaOpts,
                        "KC_BOOTSTRAP_ADMIN_USERNAME",
                        "admin",
                        "KC_BOOTSTRAP_ADMIN_PASSWORD",
                        "admin"),
                https.client);
        b = new KeycloakNode("kc-b", homeB, options, Map.of("JAVA_OPTS_APPEND", javaOpts), https.client);
        lb = new LoadBalancer(base.resolve("nginx"), pki, List.of(a, b), lbPort);
        lb.start();
        long t3 = System.nanoTime();
        a.start();
        lap("first node start (schema)", t3);
        long t4 = System.nanoTime();
        b.start();
        lap("second node start", t4);
        importRealm(smtpPort);
        lap("cluster ready", t0);
        System.out.println("Production cluster: " + timings + "; load balancer " + lb.url() + ", nodes " + a.url()
                + " and " + b.url());
    }

    private void lap(String what, long since) {
        timings.put(what, (System.nanoTime() - since) / 1_000_000);
    }

    public static Path providerJar() {
        return ARTIFACTS.resolve("keycloak-service-token-spi.jar");
    }

    public static Path sidecarJar() {
        return ARTIFACTS.resolve("sidecar-all.jar");
    }

    private List<String> nodeOptions(int lbPort) {
        List<String> o = new ArrayList<>();
        o.add("--db-url=" + postgres.jdbcUrl());
        o.add("--db-username=" + Postgres.USER);
        o.add("--db-password=" + postgres.password);
        o.add("--hostname=https://localhost:" + lbPort);
        o.add("--proxy-headers=xforwarded");
        o.add("--proxy-trusted-addresses=127.0.0.1");
        o.add("--https-certificate-file=" + pki.serverCert);
        o.add("--https-certificate-key-file=" + pki.serverKey);
        o.add("--cache-embedded-network-bind-address=127.0.0.1");
        o.add("--spi-admin-realm-restapi-extension--service-tokens--maintenance-interval=2");
        o.add("--spi-admin-realm-restapi-extension--service-tokens--grace-check-interval=1");
        o.add("--spi-admin-realm-restapi-extension--service-tokens--push-interval=1");
        o.add("--spi-client-authenticator--service-token--last-used-flush-interval=1");
        o.add("--log-level=INFO,org.servicetokens.keycloak.revocation:debug");
        return o;
    }

    private void importRealm(int smtpPort) throws IOException {
        ObjectNode realm = (ObjectNode)
                Https.JSON.readTree(Path.of(System.getProperty("realm.json")).toFile());
        // The demo's sidecar is not running here: no pushes to it.
        for (JsonNode client : realm.withArray("clients")) {
            if (client.has("attributes")) {
                ((ObjectNode) client.get("attributes")).remove("backchannel.logout.url");
            }
        }
        ObjectNode smtp = realm.putObject("smtpServer");
        smtp.put("host", "127.0.0.1");
        smtp.put("port", Integer.toString(smtpPort));
        smtp.put("from", "keycloak@example.com");
        Https.Response created = https.json("POST", lb.url() + "/admin/realms", this::adminToken, realm);
        if (created.status() != 201) {
            throw new IllegalStateException("realm import: " + created);
        }
    }

    /** A master-realm admin access token, fetched through the load balancer and reused for 30 s. */
    public synchronized String adminToken() {
        if (Instant.now().isAfter(adminTokenUntil)) {
            try {
                Https.Response token = https.form(
                        lb.url() + "/realms/master/protocol/openid-connect/token",
                        null,
                        null,
                        "grant_type",
                        "password",
                        "client_id",
                        "admin-cli",
                        "username",
                        "admin",
                        "password",
                        "admin");
                if (token.status() != 200) {
                    throw new IllegalStateException("admin login: " + token.status());
                }
                adminToken = token.json().get("access_token").asText();
                adminTokenUntil = Instant.now().plus(Duration.ofSeconds(30));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return adminToken;
    }

    /** The service-token admin API of the demo realm at {@code base} (the load balancer or one node). */
    public TokenApi api(String base) {
        return new TokenApi(https, base + "/admin/realms/" + REALM + "/service-tokens", this::adminToken);
    }

    /** The realm's client with this client ID, as the admin API shows it. */
    public JsonNode client(String clientId) throws IOException {
        return https.json(
                        "GET",
                        lb.url() + "/admin/realms/" + REALM + "/clients?clientId=" + clientId,
                        this::adminToken,
                        null)
                .json()
                .get(0);
    }

    /** Creates an application (a confidential client) whose back-channel logout URL is {@code logoutUrl}. */
    public void createApplication(String clientId, String logoutUrl) throws IOException {
        Https.Response r = https.json(
                "POST",
                lb.url() + "/admin/realms/" + REALM + "/clients",
                this::adminToken,
                java.util.Map.of(
                        "clientId",
                        clientId,
                        "publicClient",
                        false,
                        "standardFlowEnabled",
                        false,
                        "attributes",
                        java.util.Map.of("backchannel.logout.url", logoutUrl)));
        if (r.status() != 201) {
            throw new IllegalStateException("create application: " + r.status() + " " + r.body());
        }
    }

    /** Waits until {@code condition} holds, checking every 200 ms; false if it did not within {@code timeout}. */
    public static boolean await(Duration timeout, java.util.function.BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) {
                return true;
            }
            KeycloakNode.sleep(200);
        }
        return condition.getAsBoolean();
    }

    /** Replaces the provider jar of a stopped node and runs {@code kc.sh build} there. */
    public void installProvider(KeycloakNode node, Path jar) throws IOException {
        long started = System.nanoTime();
        KeycloakNode.installProvider(node.home, jar);
        timings.put("kc.sh build of " + node.name + " with a new jar", (System.nanoTime() - started) / 1_000_000);
    }

    /** Starts a node that was stopped or killed, and waits until it is ready and has joined. */
    public void restart(KeycloakNode node) throws IOException {
        node.stop();
        node.start();
    }

    private synchronized void close() {
        try {
            Files.createDirectories(LOGS);
        } catch (IOException ignored) {
            // logs stay in the temp directory
        }
        for (KeycloakNode node : List.of(a, b)) {
            node.stop();
            copy(node.log(), node.name + ".log");
        }
        lb.close();
        copy(base.resolve("nginx/error.log"), "nginx-error.log");
        mail.stop();
        postgres.close();
        copy(postgres.log(), "postgres.log");
        try {
            Proc.run(null, Map.of(), 120, "rm", "-rf", base.toString());
        } catch (RuntimeException e) {
            System.err.println("could not remove " + base + ": " + e.getMessage());
        }
    }

    private static void copy(Path from, String name) {
        try {
            Files.copy(from, LOGS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException ignored) {
            // nothing to keep
        }
    }
}
