package org.servicetokens.sidecar.support;

import com.fasterxml.jackson.core.type.TypeReference;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.servicetokens.sidecar.Sidecar;
import org.servicetokens.sidecar.config.ConfigLoader;
import org.servicetokens.sidecar.config.SidecarConfig;

/**
 * A fake realm, a recording upstream and a real sidecar between them, all on 127.0.0.1 with free ports.
 * One per test class (start ≈ 1–2 s, mostly Infinispan): as a JUnit extension,
 * {@code @RegisterExtension static final Harness h = new Harness(...);} starts it when the class's tests start and
 * closes it after the last one; {@link #resettingUpstream()} also forgets what the upstream recorded before each test.
 */
public final class Harness implements AutoCloseable, AfterAllCallback, BeforeEachCallback {

    public static final String POLICY = """
      - path: /public/**
        allow: public
      - path: /api/admin/**
        allow: {roles: [admin]}
      - path: /api/service/**
        allow: {types: [service]}
      - path: /api/ci/**
        allow: {clients: [ci-bot]}
      - path: /api/readonly/**
        methods: [GET, HEAD]
        allow: authenticated
      - path: /api/readonly/**
        allow: {roles: [writer]}
      """;

    /** The secrets of the two bots every harness realm knows (well-formed, see {@link TestSecrets}). */
    public static final String BOT_SECRET = TestSecrets.of("ci-bot");

    public static final String OTHER_SECRET = TestSecrets.of("other-bot");

    public final Vertx vertx = Vertx.vertx();
    public final TestKey key = TestKey.rsa("k1");
    public final FakeKeycloak keycloak = new FakeKeycloak(vertx, key);
    public final TestUpstream upstream = new TestUpstream(vertx);
    public final SidecarConfig config;
    public final Sidecar sidecar;
    public final Http http;
    private boolean resetUpstreamBeforeEach;

    public Harness() {
        this(c -> {});
    }

    public Harness(Consumer<SidecarConfig> customizer) {
        this(k -> {}, customizer, true);
    }

    public Harness(Consumer<FakeKeycloak> realm, Consumer<SidecarConfig> customizer, boolean waitReady) {
        realm.accept(keycloak);
        Http.await(keycloak.start());
        Http.await(upstream.start());
        keycloak.clients.put(
                "ci-bot", new FakeKeycloak.Client(BOT_SECRET, "sub-ci-bot", "ci deployer", List.of("demo-app")));
        keycloak.clients.put(
                "other-bot", new FakeKeycloak.Client(OTHER_SECRET, "sub-other-bot", "other", List.of("other-app")));
        config = new SidecarConfig();
        config.listen.host = "127.0.0.1";
        config.listen.port = freePort();
        config.listen.instances = 2;
        config.management.host = "127.0.0.1";
        config.management.port = freePort();
        config.upstream.url = "http://127.0.0.1:" + upstream.port();
        config.upstream.timeout = Duration.ofSeconds(2);
        config.keycloak.issuer = keycloak.issuer();
        config.keycloak.timeout = Duration.ofSeconds(1);
        config.keycloak.jwksMinRefetchInterval = Duration.ofMillis(300);
        config.policy.rules = rules(POLICY);
        customizer.accept(config);
        sidecar = Http.await(Sidecar.start(config));
        long deadline = System.currentTimeMillis() + 10_000;
        while (waitReady && !sidecar.ready() && System.currentTimeMillis() < deadline) {
            sleep(20);
        }
        if (waitReady && !sidecar.ready()) {
            throw new IllegalStateException("sidecar not ready");
        }
        http = new Http(vertx, sidecar.port());
    }

    public static List<SidecarConfig.Rule> rules(String yaml) {
        try {
            return ConfigLoader.mapper().readValue(yaml, new TypeReference<List<SidecarConfig.Rule>>() {});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Http management() {
        return new Http(vertx, sidecar.managementPort());
    }

    /**
     * A Prometheus series from {@code /metrics}: {@code name} sums every label set, {@code name{labels}} is that
     * one series; 0 when absent.
     */
    public static double metric(Http management, String series) {
        String text = management.get("/metrics").body();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ") || (!series.contains("{") && line.startsWith(series + "{"))) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    public String bearer(String token) {
        return "Bearer " + token;
    }

    public String validToken() {
        return keycloak.token(keycloak.claims("user-1"));
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** As an extension: {@link TestUpstream#reset()} before each test of the class. Returns this harness. */
    public Harness resettingUpstream() {
        resetUpstreamBeforeEach = true;
        return this;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (resetUpstreamBeforeEach) {
            upstream.reset();
        }
    }

    /** Closes the harness after the test class it was registered with. */
    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        try {
            Http.await(sidecar.close());
        } finally {
            Http.await(vertx.close());
        }
    }
}
