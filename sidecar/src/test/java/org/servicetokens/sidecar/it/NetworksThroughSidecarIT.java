package org.servicetokens.sidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.servicetokens.keycloak.it.Http;
import org.servicetokens.keycloak.it.TokenApi;

/**
 * A service token limited to 127.0.0.1/32, used through the sidecar from bound client addresses (every
 * 127.0.0.0/8 address is loopback on Linux): the sidecar checks each request's address against the JWT's
 * {@code service_token.networks}, so a request from 127.0.0.2 is refused although the grant made for 127.0.0.1 is
 * cached and shared; behind a trusted front proxy, {@code X-Forwarded-For} names the client, and nobody else's does.
 */
@KeycloakIntegrationTest(config = SidecarKeycloakConfig.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NetworksThroughSidecarIT extends SidecarITBase {

    RecordingUpstream upstream;
    SidecarProcess sidecar;
    SidecarProcess behindProxy;
    TokenApi api;

    @BeforeEach
    void startSidecarsOnce() throws Exception {
        if (sidecar != null) {
            return;
        }
        upstream = new RecordingUpstream();
        sidecar = startSidecar(upstream.url(), Map.of());
        behindProxy = startSidecar(upstream.url(), Map.of("SIDECAR_LISTEN_TRUSTED_PROXIES", "127.0.0.3/32"));
        api = tokenApi();
    }

    @AfterAll
    void stop() {
        closeAll(sidecar, behindProxy, upstream);
    }

    @Test
    void aRequestFromOutsideTheTokensNetworksIsRefusedEvenWhenTheGrantIsCached() {
        JsonNode token = createLimitedTo("127.0.0.1/32");
        Map<String, String> credentials = credentials(token);

        Reply inside = get(sidecar, "127.0.0.1", credentials);
        assertEquals(200, inside.status(), inside.printable());
        int hits = upstream.hits();
        int grants = grants(token);

        Reply outside = get(sidecar, "127.0.0.2", credentials);
        assertEquals(403, outside.status(), outside.printable());
        assertTrue(outside.body().contains("\"address_not_allowed\""), outside.printable());
        assertEquals(hits, upstream.hits(), "nothing refused reaches the app");
        assertEquals(grants, grants(token), "the grant was cached: no new call to Keycloak decided this");

        assertEquals(200, get(sidecar, "127.0.0.1", credentials).status(), "the allowed address still works");

        // The identity endpoint judges the address too: it must not tell an outsider whose credentials these are.
        Reply identityOutside = get(sidecar, "/.sidecar/identity", "127.0.0.2", credentials);
        assertEquals(403, identityOutside.status(), identityOutside.printable());
        assertTrue(identityOutside.body().contains("\"address_not_allowed\""), identityOutside.printable());
        assertEquals(
                200,
                get(sidecar, "/.sidecar/identity", "127.0.0.1", credentials).status());

        // A JWT the bot fetched itself carries the same limit.
        String jwt = Http.clientCredentials(
                        realm.getBaseUrl(),
                        token.get("clientId").asText(),
                        token.get("clientSecret").asText())
                .json()
                .get("access_token")
                .asText();
        assertEquals(
                403,
                get(sidecar, "127.0.0.2", Map.of("Authorization", "Bearer " + jwt))
                        .status());
        assertEquals(
                200,
                get(sidecar, "127.0.0.1", Map.of("Authorization", "Bearer " + jwt))
                        .status());
    }

    @Test
    void onlyATrustedFrontProxysForwardedForNamesTheClient() {
        JsonNode token = createLimitedTo("127.0.0.1/32");
        Map<String, String> credentials = credentials(token);
        assertEquals(
                200,
                get(behindProxy, "127.0.0.3", with(credentials, "X-Forwarded-For", "127.0.0.1"))
                        .status(),
                "the trusted proxy at 127.0.0.3 forwards for 127.0.0.1");
        Reply forwardedOutside = get(behindProxy, "127.0.0.3", with(credentials, "X-Forwarded-For", "127.0.0.2"));
        assertEquals(403, forwardedOutside.status(), forwardedOutside.printable());
        assertTrue(forwardedOutside.body().contains("address_not_allowed"));
        assertEquals(
                403,
                get(behindProxy, "127.0.0.2", with(credentials, "X-Forwarded-For", "127.0.0.1"))
                        .status(),
                "an untrusted peer cannot claim an address");
        assertEquals(
                403,
                get(behindProxy, "127.0.0.3", with(credentials, "X-Forwarded-For", "127.0.0.1:5000"))
                        .status(),
                "an unreadable chain is an unknown address");
        assertEquals(
                403,
                get(sidecar, "127.0.0.2", with(credentials, "X-Forwarded-For", "127.0.0.1"))
                        .status(),
                "without trusted proxies nobody's header counts");
    }

    private JsonNode createLimitedTo(String range) {
        Http.Reply reply = api.post(
                "",
                "{\"name\":\"networks through sidecar\",\"applications\":[\"demo-app\"],\"networks\":[\"" + range
                        + "\"]}");
        assertEquals(201, reply.status(), reply.printable());
        return reply.json();
    }

    private static Map<String, String> credentials(JsonNode token) {
        return Map.of(
                "KC-Access-Client-Id",
                token.get("clientId").asText(),
                "KC-Access-Client-Secret",
                token.get("clientSecret").asText());
    }

    private static Map<String, String> with(Map<String, String> headers, String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return copy;
    }

    /** Successful token requests of this token that Keycloak recorded (the demo realm records CLIENT_LOGIN events). */
    private int grants(JsonNode token) {
        List<EventRepresentation> events = realm.admin()
                .getEvents(List.of("CLIENT_LOGIN"), token.get("clientId").asText(), null, null, null, null, 0, 1000);
        return events.size();
    }

    record Reply(int status, String body) {
        /** For assertion messages: a secret never shows. */
        String printable() {
            return status + " " + body.replaceAll("kcst_[0-9A-Za-z]+", "kcst_<masked>");
        }
    }

    /** GET /reports through {@code target} from the local address {@code from}, with {@code headers}. */
    private static Reply get(SidecarProcess target, String from, Map<String, String> headers) {
        return get(target, "/reports", from, headers);
    }

    /** GET {@code path} through {@code target} from the local address {@code from}; HTTP/1.1, closed after. */
    private static Reply get(SidecarProcess target, String path, String from, Map<String, String> headers) {
        URI uri = URI.create(target.url());
        StringBuilder head = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":"
                + uri.getPort() + "\r\nAccept: application/json\r\nConnection: close\r\n");
        headers.forEach(
                (name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(all);
            String reply = all.toString(StandardCharsets.UTF_8);
            int end = reply.indexOf("\r\n\r\n");
            if (!reply.startsWith("HTTP/1.1 ") || end < 0) {
                throw new AssertionError("not an HTTP reply (" + reply.length() + " characters)");
            }
            return new Reply(Integer.parseInt(reply.substring(9, 12)), reply.substring(end + 4));
        } catch (IOException e) {
            throw new AssertionError("request from " + from + " failed: " + e, e);
        }
    }
}
