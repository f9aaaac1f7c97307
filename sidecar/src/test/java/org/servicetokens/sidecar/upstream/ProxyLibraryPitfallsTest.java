package org.servicetokens.sidecar.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.TestUpstream;

/**
 * Pins down the vertx-http-proxy 5.0.7 traps the sidecar is built around (interceptors skipped on WebSocket upgrades; a body lost across an async step), on a bare proxy.
 * The sidecar's own behaviour is asserted in ProxyTest (WebSocket headers) and ClientCredentialsGrantTest/ProxyTest (bodies
 * across asynchronous steps).
 */
class ProxyLibraryPitfallsTest {

    static Vertx vertx;
    static TestUpstream upstream;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        upstream = Http.await(new TestUpstream(vertx).start());
    }

    @AfterAll
    static void stop() {
        Http.await(vertx.close());
    }

    private static HttpServer serve(Router router) {
        return Http.await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    }

    @Test
    void interceptorWithoutWebSocketFlagIsSkippedOnUpgrades() {
        HttpClient client = vertx.createHttpClient();
        HttpProxy proxy = HttpProxy.reverseProxy(client).origin(upstream.port(), "127.0.0.1");
        proxy.addInterceptor(new ProxyInterceptor() {
            @Override
            public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
                context.request().headers().set("X-Auth-Subject", "from-interceptor");
                return context.sendRequest();
            }
        });
        Router router = Router.router(vertx);
        router.route().handler(ctx -> proxy.handle(ctx.request()));
        HttpServer server = serve(router);

        upstream.reset();
        Http http = new Http(vertx, server.actualPort());
        assertEquals(200, http.get("/plain").status());
        assertEquals("from-interceptor", upstream.last().headers().get("X-Auth-Subject"));

        upstream.reset();
        WebSocketClient ws = vertx.createWebSocketClient();
        Http.await(ws.connect(new WebSocketConnectOptions()
                .setHost("127.0.0.1")
                .setPort(server.actualPort())
                .setURI("/ws")));
        assertTrue(upstream.last().webSocket());
        assertNull(upstream.last().headers().get("X-Auth-Subject"), "the library trap: skipped on the upgrade");
        Http.await(server.close());
    }

    @Test
    void pausingAcrossAnAsyncStepKeepsTheBody() {
        HttpProxy proxy = HttpProxy.reverseProxy(vertx.createHttpClient()).origin(upstream.port(), "127.0.0.1");
        Router router = Router.router(vertx);
        router.route("/paused/*").handler(ctx -> {
            ctx.request().pause();
            vertx.setTimer(150, id -> proxy.handle(ctx.request()));
        });
        router.route("/unpaused/*").handler(ctx -> vertx.setTimer(150, id -> proxy.handle(ctx.request())));
        HttpServer server = serve(router);
        Http http = new Http(vertx, server.actualPort());
        Buffer body = Buffer.buffer("x".repeat(200_000));

        Http.Response paused = http.send(HttpMethod.POST, "/paused/echo", body);
        assertEquals(200, paused.status());
        assertEquals(200_000, new JsonObject(paused.body()).getInteger("bodyLength"));

        Http.Response unpaused = http.send(HttpMethod.POST, "/unpaused/echo", body);
        boolean lost = unpaused.status() != 200 || new JsonObject(unpaused.body()).getInteger("bodyLength") != 200_000;
        assertTrue(lost, "the library trap: without pause() the body does not make it");
        Http.await(server.close());
    }
}
