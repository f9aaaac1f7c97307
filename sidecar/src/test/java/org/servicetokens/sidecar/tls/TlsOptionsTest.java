package org.servicetokens.sidecar.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The clients' trust: only the configured CA, host names verified, trust-all only under its development switch. */
class TlsOptionsTest {

    static final Vertx vertx = Vertx.vertx();

    @TempDir
    static Path dir;

    static TestPki ca;
    static TestPki other;
    static HttpServer goodName;
    static HttpServer wrongName;

    @BeforeAll
    static void servers() throws Exception {
        ca = new TestPki("Private CA");
        other = new TestPki("Some other CA");
        ca.writeCa(dir.resolve("ca.pem"));
        other.writeCa(dir.resolve("other.pem"));
        ca.issue("localhost", dir.resolve("good.pem"), dir.resolve("good.key"));
        ca.issue("not-this-host.example", dir.resolve("wrong.pem"), dir.resolve("wrong.key"));
        goodName = https("good");
        wrongName = https("wrong");
    }

    private static HttpServer https(String name) throws Exception {
        ServerTls tls = new ServerTls();
        tls.certFile = dir.resolve(name + ".pem").toString();
        tls.keyFile = dir.resolve(name + ".key").toString();
        return await(vertx.createHttpServer(ListenerTls.apply(
                        new HttpServerOptions().setHost("127.0.0.1").setPort(0), tls))
                .requestHandler(r -> r.response().end("ok"))
                .listen());
    }

    @AfterAll
    static void close() throws Exception {
        await(vertx.close());
    }

    @Test
    void theConfiguredCaIsTrusted() throws Exception {
        assertEquals(200, get(goodName, trusting("ca.pem")));
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() {
        assertThrows(ExecutionException.class, () -> get(goodName, trusting("other.pem")));
    }

    @Test
    void theJvmDefaultTrustDoesNotKnowThePrivateCa() {
        assertThrows(ExecutionException.class, () -> get(goodName, new ClientTls()));
    }

    @Test
    void aCertificateForAnotherHostNameIsRefused() {
        assertThrows(ExecutionException.class, () -> get(wrongName, trusting("ca.pem")));
    }

    @Test
    void trustAllIsOnlyTheDevelopmentSwitch() throws Exception {
        ClientTls dev = new ClientTls();
        dev.trustAllDevelopmentOnly = true;
        assertEquals(200, get(wrongName, dev));
    }

    private static ClientTls trusting(String caFile) {
        ClientTls tls = new ClientTls();
        tls.caFile = dir.resolve(caFile).toString();
        return tls;
    }

    private static int get(HttpServer server, ClientTls tls) throws Exception {
        HttpClient client = vertx.createHttpClient(TlsOptions.keycloak(new HttpClientOptions(), tls));
        try {
            Future<HttpClientResponse> response = client.request(new RequestOptions()
                            .setMethod(HttpMethod.GET)
                            .setAbsoluteURI("https://localhost:" + server.actualPort() + "/"))
                    .compose(request -> request.send());
            return await(response).statusCode();
        } finally {
            client.close();
        }
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
}
