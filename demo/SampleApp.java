import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;

/**
 * The demo's upstream app: it trusts the sidecar in front of it and shows the identity headers it receives.
 * HTML for browsers, JSON for everything else. Run with: java demo/SampleApp.java [port [bind-address]]
 * (loopback by default: only the sidecar beside it may reach it; a container gives 0.0.0.0 and keeps the port private).
 */
public class SampleApp {

    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8081;
        String host = args.length > 1 ? args[1] : "127.0.0.1";
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", SampleApp::answer);
        server.start();
        System.out.println("Sample app listening on http://" + host + ":" + port);
    }

    private static void answer(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
        Map<String, String> identity = new TreeMap<>();
        for (Map.Entry<String, List<String>> header :
                exchange.getRequestHeaders().entrySet()) {
            String name = header.getKey().toLowerCase();
            if (name.startsWith("x-auth-")
                    || name.startsWith("x-forwarded-")
                    || name.equals("x-access-jwt-assertion")) {
                String value = String.join(", ", header.getValue());
                identity.put(
                        name,
                        name.equals("x-access-jwt-assertion") && value.length() > 40
                                ? value.substring(0, 40) + "…"
                                : value);
            }
        }
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        boolean html = accept != null && accept.contains("text/html");
        StringBuilder body = new StringBuilder();
        if (html) {
            body.append(
                            "<!doctype html><html><head><title>Sample app</title></head><body><h1>Hello from the sample app</h1>")
                    .append("<p>")
                    .append(escape(exchange.getRequestMethod()))
                    .append(' ')
                    .append(escape(exchange.getRequestURI().toString()))
                    .append("</p><table id=\"identity\">");
            identity.forEach((k, v) -> body.append("<tr><th>")
                    .append(escape(k))
                    .append("</th><td>")
                    .append(escape(v))
                    .append("</td></tr>"));
            // Log out = the sidecar's confirmation page, whose form carries the CSRF token bound to the session: the
            // app cannot make that token (the session cookie is HttpOnly and never reaches the app).
            body.append(
                    "</table><form method=\"get\" action=\"/.sidecar/logout\"><button id=\"log-out\">Log out</button></form></body></html>");
        } else {
            body.append("{\"method\":\"")
                    .append(json(exchange.getRequestMethod()))
                    .append("\",\"path\":\"")
                    .append(json(exchange.getRequestURI().toString()))
                    .append("\",\"identity\":{");
            String separator = "";
            for (Map.Entry<String, String> e : identity.entrySet()) {
                body.append(separator)
                        .append('"')
                        .append(json(e.getKey()))
                        .append("\":\"")
                        .append(json(e.getValue()))
                        .append('"');
                separator = ",";
            }
            body.append("}}\n");
        }
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", html ? "text/html; charset=utf-8" : "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String json(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
