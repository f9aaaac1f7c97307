package org.servicetokens.sidecar.adversarial;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The adversarial corpus: the case files under {@code src/test/resources/adversarial/} (format in its README.md)
 * and how a case becomes request bytes. Placeholders in raw requests, header values, targets and bodies:
 * {@code {{token}}} a valid user access token, {@code {{jwt:NAME}}} a token from the file's {@code tokens:} map,
 * {@code {{secret}}} the corpus bot's well-formed secret, {@code {{secret:LABEL}}} another well-formed secret,
 * {@code {{bad-checksum:LABEL}}} one with a broken checksum, {@code {{basic}}} base64 of the bot's
 * {@code id:secret}, {@code {{session}}} a live browser session id, {@code {{logout}}} the case's logout token,
 * {@code {{repeat:N:TEXT}}} TEXT N times.
 */
final class Corpus {

    /** The case files, in the order they run. */
    static final List<String> FILES = List.of(
            "01-method.yaml",
            "02-path-characters.yaml",
            "03-host.yaml",
            "04-routing-override.yaml",
            "05-header-values.yaml",
            "06-expect.yaml",
            "07-identity-type.yaml",
            "08-email-verified.yaml",
            "09-missing-subject.yaml",
            "10-list-headers.yaml",
            "11-logout-token.yaml",
            "12-anonymous-state.yaml",
            "13-junk-credentials.yaml",
            "15-hung-keycloak.yaml",
            "16-request-path-caches.yaml",
            "path-traversal.yaml",
            "credential-ambiguity.yaml",
            "header-names.yaml",
            "smuggling.yaml",
            "oversized.yaml",
            "jwt.yaml",
            "cookies.yaml",
            "return-url.yaml",
            "reserved-prefix.yaml");

    static final String SERVICE_ID = "corpus-bot";
    static final String SERVICE_SECRET = CorpusTokens.secret(SERVICE_ID);
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z-]+)(?::(.*?))?}}");

    /** One case: where it came from, and its tree (request and expectations) as written. */
    record Case(
            String file, String id, String kind, String description, String source, ObjectNode node, JsonNode tokens) {

        JsonNode request() {
            return node.path("request");
        }

        JsonNode expect() {
            return node.path("expect");
        }

        @Override
        public String toString() {
            return id + " [" + kind + "]";
        }
    }

    private Corpus() {}

    static JsonNode resource(String name) {
        try (InputStream in = Corpus.class.getResourceAsStream("/adversarial/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing corpus file " + name);
            }
            return YAML.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("corpus file " + name + ": " + e.getMessage(), e);
        }
    }

    static List<Case> load() {
        List<Case> cases = new ArrayList<>();
        for (String file : FILES) {
            JsonNode doc = resource(file);
            String kind = doc.path("kind").asText();
            String source = doc.path("source").asText(null);
            for (JsonNode c : doc.path("cases")) {
                cases.add(new Case(
                        file,
                        c.path("id").asText(),
                        c.path("kind").asText(kind),
                        c.path("description").asText(),
                        c.path("source").asText(source),
                        (ObjectNode) c,
                        doc.path("tokens")));
            }
        }
        return cases;
    }

    /** Fills in the placeholders of {@code text}; {@code values} answers the non-generic ones. */
    static String expand(String text, Function<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String arg = m.group(2);
            String value = switch (name) {
                case "repeat" -> {
                    int colon = arg.indexOf(':');
                    yield arg.substring(colon + 1).repeat(Integer.parseInt(arg.substring(0, colon)));
                }
                case "secret" -> arg == null ? SERVICE_SECRET : CorpusTokens.secret(arg);
                case "bad-checksum" -> CorpusTokens.badChecksum(arg);
                case "basic" ->
                    Base64.getEncoder()
                            .encodeToString((SERVICE_ID + ":" + SERVICE_SECRET).getBytes(StandardCharsets.UTF_8));
                default -> values.apply(arg == null ? name : name + ":" + arg);
            };
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        return m.appendTail(sb).toString();
    }

    /**
     * The bytes of a structured request: request line, {@code Host: app.example.com} unless the case sets
     * {@code host} (a value, a list, or {@code none}) or a Host header itself, the case's headers in order, its
     * credentials ({@code bearer}, {@code service}, {@code session}), an {@code Accept} header (HTML for
     * {@code navigation: true}), and {@code Content-Length} for a body unless the case frames it itself.
     */
    static byte[][] build(JsonNode req, Function<String, String> values, String bearer, String logoutToken) {
        boolean logout = logoutToken != null;
        String method = req.path("method").asText(logout ? "POST" : "GET");
        String target = expand(req.path("target").asText(logout ? "/.sidecar/backchannel-logout" : "/x"), values);
        StringBuilder head = new StringBuilder(method)
                .append(' ')
                .append(target)
                .append(' ')
                .append(req.path("version").asText("HTTP/1.1"))
                .append("\r\n");
        List<String[]> headers = new ArrayList<>();
        for (JsonNode h : req.path("headers")) {
            headers.add(new String[] {h.get(0).asText(), expand(h.get(1).asText(), values)});
        }
        boolean hasHost = headers.stream().anyMatch(h -> h[0].equalsIgnoreCase("host"));
        JsonNode host = req.path("host");
        if (host.isArray()) {
            host.forEach(v ->
                    head.append("Host: ").append(expand(v.asText(), values)).append("\r\n"));
        } else if (!hasHost && !host.asText("").equals("none")) {
            head.append("Host: ")
                    .append(host.isMissingNode() ? "app.example.com" : expand(host.asText(), values))
                    .append("\r\n");
        }
        for (String[] h : headers) {
            head.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        if (bearer != null) {
            head.append("Authorization: Bearer ").append(bearer).append("\r\n");
        }
        JsonNode service = req.path("service");
        if (service.isObject()) {
            head.append("KC-Access-Client-Id: ")
                    .append(expand(service.path("id").asText(SERVICE_ID), values))
                    .append("\r\n");
            head.append("KC-Access-Client-Secret: ")
                    .append(expand(service.path("secret").asText("{{secret}}"), values))
                    .append("\r\n");
        }
        if (req.path("session").asBoolean(false)) {
            head.append("Cookie: ").append(values.apply("session-cookie")).append("\r\n");
        }
        if (headers.stream().noneMatch(h -> h[0].equalsIgnoreCase("accept"))) {
            head.append("Accept: ")
                    .append(req.path("navigation").asBoolean(false) ? "text/html" : "application/json")
                    .append("\r\n");
        }
        String body = req.has("body")
                ? expand(req.get("body").asText(), values)
                : logout ? "logout_token=" + URLEncoder.encode(logoutToken, StandardCharsets.UTF_8) : null;
        if (logout && headers.stream().noneMatch(h -> h[0].equalsIgnoreCase("content-type"))) {
            head.append("Content-Type: application/x-www-form-urlencoded\r\n");
        }
        boolean framed = headers.stream()
                .anyMatch(h -> h[0].equalsIgnoreCase("content-length") || h[0].equalsIgnoreCase("transfer-encoding"));
        if (body != null && !framed) {
            head.append("Content-Length: ")
                    .append(body.getBytes(StandardCharsets.ISO_8859_1).length)
                    .append("\r\n");
        }
        head.append("\r\n");
        return new byte[][] {
            head.toString().getBytes(StandardCharsets.ISO_8859_1),
            body == null ? new byte[0] : body.getBytes(StandardCharsets.ISO_8859_1)
        };
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    static Map<String, JsonNode> fields(JsonNode node) {
        Map<String, JsonNode> out = new java.util.LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
