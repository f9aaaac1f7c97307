import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.httpproxy.HttpProxy;

/**
 * The baseline: a plain vertx-http-proxy reverse proxy with no authentication, deployed like the sidecar (one
 * verticle per core, pool of 64 upstream connections each), so "sidecar / plain proxy" isolates the cost of auth.
 * Run: java -cp sidecar/target/sidecar.jar bench/PlainProxy.java LISTEN_PORT UPSTREAM_PORT
 */
public class PlainProxy {
    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int upstream = Integer.parseInt(args[1]);
        int instances = Runtime.getRuntime().availableProcessors();
        Vertx vertx = Vertx.vertx();
        vertx.deployVerticle(
                        () -> new VerticleBase() {
                            @Override
                            public Future<?> start() {
                                // The same client settings as the sidecar's upstream: keep-alive, no decompression,
                                // pool of 64.
                                var client = vertx.createHttpClient(
                                        new HttpClientOptions()
                                                .setKeepAlive(true)
                                                .setDecompressionSupported(false),
                                        new PoolOptions().setHttp1MaxSize(64).setMaxWaitQueueSize(1024));
                                HttpProxy proxy = HttpProxy.reverseProxy(client).origin(upstream, "127.0.0.1");
                                return vertx.createHttpServer()
                                        .requestHandler(proxy)
                                        .listen(port, "127.0.0.1");
                            }
                        },
                        new DeploymentOptions().setInstances(instances))
                .onSuccess(id -> System.out.println(
                        "plain proxy on " + port + " -> " + upstream + " (" + instances + " verticles)"))
                .onFailure(error -> {
                    error.printStackTrace();
                    System.exit(1);
                });
    }
}
