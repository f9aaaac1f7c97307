package org.servicetokens.sidecar.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The sample app behind the sidecar for the browser tests: an HTML page showing the identity headers it received
 * (what a real app would render), JSON under {@code /api/}, and a record of what reached it.
 */
final class HtmlEchoApp implements AutoCloseable {

    private final HttpServer server;
    private final AtomicReference<Map<String, String>> lastHeaders = new AtomicReference<>(Map.of());
    private final List<String> assertions = new CopyOnWriteArrayList<>();

    HtmlEchoApp() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", exchange -> {
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, String.join("|", values)));
            lastHeaders.set(headers);
            String assertion = headers.get("X-Access-Jwt-Assertion");
            if (assertion != null) {
                assertions.add(assertion);
            }
            boolean api = exchange.getRequestURI().getPath().startsWith("/api/");
            StringBuilder body = new StringBuilder();
            if (api) {
                body.append("{\"user\":\"")
                        .append(headers.getOrDefault("X-Auth-Username", ""))
                        .append("\"}");
            } else {
                body.append(
                                "<!doctype html><html><head><title>Demo app</title></head><body><h1 id=\"app\">Demo app</h1>")
                        .append("<p id=\"path\">")
                        .append(escape(exchange.getRequestURI().toString()))
                        .append("</p><dl>");
                headers.forEach((name, value) -> {
                    if (name.toLowerCase().startsWith("x-auth-")) {
                        body.append("<dt>")
                                .append(escape(name))
                                .append("</dt><dd id=\"")
                                .append(escape(name.toLowerCase()))
                                .append("\">")
                                .append(escape(value))
                                .append("</dd>");
                    }
                });
                body.append("</dl></body></html>");
            }
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", api ? "application/json" : "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    Map<String, String> lastHeaders() {
        return lastHeaders.get();
    }

    /** Every X-Access-Jwt-Assertion that reached the app, in order. */
    List<String> assertions() {
        return assertions;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
