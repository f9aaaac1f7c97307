import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The benchmark's app: a Vert.x server that answers every request with a small JSON body, so the proxies in
 * front of it, not the app, are what the numbers compare. Run: java -cp sidecar/target/sidecar.jar bench/BenchUpstream.java PORT
 */
public class BenchUpstream {
    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        vertx.createHttpServer()
                .requestHandler(request -> request.response()
                        .putHeader("Content-Type", "application/json")
                        .end("{\"ok\":true}"))
                .listen(port, "127.0.0.1")
                .onSuccess(server -> System.out.println("bench upstream on " + port))
                .onFailure(error -> {
                    error.printStackTrace();
                    System.exit(1);
                });
    }
}
