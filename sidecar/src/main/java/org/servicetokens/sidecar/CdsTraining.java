package org.servicetokens.sidecar;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.servicetokens.sidecar.config.SidecarConfig;

/**
 * {@value #FLAG}: the training run of an AppCDS archive (JDK 13+ {@code -XX:ArchiveClassesAtExit}). Starts the
 * sidecar as configured (Keycloak need not answer: the realm's keys are then simply missing), sends the listener and
 * the management port a few requests that are refused without any call to Keycloak, stops it and exits, so the
 * archive holds the classes of start-up and of the request path. Exit status 0 when the sidecar started, answered
 * and stopped; 1 otherwise.
 */
final class CdsTraining {

    static final String FLAG = "--cds-training";

    /** A well-formed JWT signed by nobody: refused locally (no realm keys), like any token during training. */
    private static final String UNSIGNED_JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InRyYWluaW5nIn0"
            + ".eyJzdWIiOiJ0cmFpbmluZyIsImV4cCI6NDEwMjQ0NDgwMH0.c2lnbmF0dXJl";

    private CdsTraining() {}

    static int run(SidecarConfig config) {
        Sidecar sidecar;
        try {
            sidecar = Sidecar.start(config)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("sidecar: training run could not start: " + e.getMessage());
            return 1;
        }
        int status = 0;
        try {
            List<Integer> answers =
                    exercise(sidecar).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            System.err.println("sidecar: training run answered " + answers);
        } catch (Exception e) {
            System.err.println("sidecar: training run failed: " + e.getMessage());
            status = 1;
        }
        try {
            sidecar.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("sidecar: training run could not stop: " + e.getMessage());
            status = 1;
        }
        return status;
    }

    /** The status codes of the training requests, in order (each is answered without Keycloak). */
    static Future<List<Integer>> exercise(Sidecar sidecar) {
        HttpClient client = sidecar.vertx().createHttpClient();
        List<Integer> statuses = new ArrayList<>();
        String host = "127.0.0.1";
        int port = sidecar.port();
        int management = sidecar.managementPort();
        Future<Void> chain = Future.succeededFuture();
        for (RequestOptions r : List.of(
                new RequestOptions().setPort(port).setURI("/"),
                new RequestOptions()
                        .setPort(port)
                        .setURI("/api/x")
                        .addHeader("Authorization", "Bearer " + UNSIGNED_JWT),
                new RequestOptions()
                        .setPort(port)
                        .setURI("/")
                        .addHeader("KC-Access-Client-Id", "training")
                        .addHeader("KC-Access-Client-Secret", "not-a-service-token-secret"),
                new RequestOptions().setPort(port).setURI("/.sidecar/identity"),
                new RequestOptions().setPort(port).setURI("/.well-known/oauth-protected-resource"),
                new RequestOptions().setURI("/ready").setPort(management),
                new RequestOptions().setURI("/metrics").setPort(management))) {
            RequestOptions options = r.setMethod(HttpMethod.GET).setHost(host);
            chain = chain.compose(v -> client.request(options)
                    .compose(req -> req.send())
                    .compose(resp -> resp.body().map(body -> status(resp)))
                    .map(s -> {
                        statuses.add(s);
                        return null;
                    }));
        }
        return chain.eventually(client::close).map(v -> statuses);
    }

    private static int status(HttpClientResponse response) {
        return response.statusCode();
    }
}
