package org.servicetokens.sidecar.adversarial;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.RawHttp;
import org.servicetokens.sidecar.support.RawHttp2;

/**
 * The corpus steps that take more than one request: a browser login completed against the fake realm (to read
 * where the sidecar sends the browser back, or to get a live session), and HTTP/2 requests over cleartext with
 * prior knowledge ({@link RawHttp2}).
 */
final class CorpusFlows {

    /** The end of a login: the first answer, then (when it was a redirect to the realm) the callback's. */
    record Login(RawHttp.Answer start, RawHttp.Answer callback) {}

    private final Harness h;

    CorpusFlows(Harness h) {
        this.h = h;
    }

    /**
     * Sends {@code start} (a navigation or {@code /.sidecar/login?rd=…}); if it is sent to the realm, logs in there as
     * {@code sub} and follows the realm's redirect back to the callback with the cookies the sidecar set.
     */
    Login login(byte[] start, String sub) throws Exception {
        List<RawHttp.Answer> first = RawHttp.exchangeAll(h.sidecar.port(), start, false, 0);
        RawHttp.Answer r = first.get(first.size() - 1);
        String location = r.header("Location");
        if (r.status() != 302 || location == null || !location.startsWith(h.keycloak.issuer())) {
            return new Login(r, null);
        }
        Map<String, String> params = query(URI.create(location).getRawQuery());
        String code = h.keycloak.issueCode(
                sub,
                "sid-" + UUID.randomUUID(),
                params.get("code_challenge"),
                params.get("nonce"),
                params.get("redirect_uri"));
        String callbackPath = URI.create(params.get("redirect_uri")).getRawPath();
        String request = "GET " + callbackPath + "?code=" + code + "&state=" + params.get("state") + " HTTP/1.1\r\n"
                + "Host: app.example.com\r\nAccept: text/html\r\nCookie: " + cookies(r) + "\r\n\r\n";
        List<RawHttp.Answer> back =
                RawHttp.exchangeAll(h.sidecar.port(), request.getBytes(StandardCharsets.ISO_8859_1), false, 0);
        return new Login(r, back.get(back.size() - 1));
    }

    /** A live browser session cookie ({@code name=value}), from a complete login. */
    String sessionCookie() throws Exception {
        byte[] nav = "GET /session-start HTTP/1.1\r\nHost: app.example.com\r\nAccept: text/html\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        Login login = login(nav, "session-user");
        if (login.callback() == null || login.callback().status() != 302) {
            throw new IllegalStateException("could not log in for a session: " + login);
        }
        for (String set : login.callback().headers().getAll("set-cookie")) {
            String pair = set.substring(0, set.indexOf(';') < 0 ? set.length() : set.indexOf(';'));
            int eq = pair.indexOf('=');
            if (eq > 0 && !pair.substring(0, eq).endsWith("-login") && eq < pair.length() - 1) {
                return pair;
            }
        }
        throw new IllegalStateException("no session cookie after login");
    }

    /** {@code name=value; …} of every cookie the response set with a value. */
    static String cookies(RawHttp.Answer r) {
        List<String> pairs = new ArrayList<>();
        for (String set : r.headers().getAll("set-cookie")) {
            String pair = set.substring(0, set.indexOf(';') < 0 ? set.length() : set.indexOf(';'))
                    .trim();
            if (!pair.endsWith("=")) {
                pairs.add(pair);
            }
        }
        return String.join("; ", pairs);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            params.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    /**
     * An HTTP/2 request with prior knowledge to {@code target}'s sidecar: {@code :authority} app.example.com (or the
     * case's {@code authority}), then the case's headers with their names in lower case, values exactly as written.
     */
    static RawHttp.Answer h2(Harness target, JsonNode req, Function<String, String> expand) {
        List<String> fields = new ArrayList<>(List.of(
                ":method",
                req.path("method").asText("GET"),
                ":scheme",
                "http",
                ":path",
                expand.apply(req.path("target").asText("/x")),
                ":authority",
                req.path("authority").asText("app.example.com")));
        for (JsonNode h : req.path("headers")) {
            fields.add(h.get(0).asText().toLowerCase(Locale.ROOT));
            fields.add(expand.apply(h.get(1).asText()));
        }
        try {
            return RawHttp2.exchange(
                            target.sidecar.port(), RawHttp2.headers(fields.toArray(String[]::new)), null, 5_000)
                    .asHttp1();
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof java.net.SocketTimeoutException) {
                // No answer in time counts as a closed connection, as for HTTP/1 cases.
                return new RawHttp.Answer(RawHttp.CLOSED, io.vertx.core.MultiMap.caseInsensitiveMultiMap(), "");
            }
            throw e;
        }
    }
}
