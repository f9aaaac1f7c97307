package org.servicetokens.sidecar.support;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Just enough of a Keycloak realm for component tests: discovery, a JWKS the test can change, and a
 * client_credentials token endpoint for registered service tokens. Not for integration tests (those run
 * against the real Keycloak).
 */
public final class FakeKeycloak {

    public enum Mode {
        OK,
        ERROR_503,
        HANG,
        RESET
    }

    public record Client(String secret, String sub, String tokenName, List<String> audience) {}

    private final Vertx vertx;
    private HttpServer server;
    public final List<TestKey> published = new CopyOnWriteArrayList<>();
    public volatile TestKey signingKey;
    public volatile JsonObject jwksOverride;
    public final Map<String, Client> clients = new ConcurrentHashMap<>();
    public final AtomicInteger tokenCalls = new AtomicInteger();
    public final AtomicInteger jwksCalls = new AtomicInteger();
    public volatile Mode tokenMode = Mode.OK;
    /** A hung Keycloak: every endpoint (discovery, JWKS, token) accepts the request and never answers. */
    public volatile boolean frozen;
    /** The client_id of every client_credentials call, as Keycloak decoded it from the form. */
    public final List<String> clientIdsSeen = new CopyOnWriteArrayList<>();
    /** The X-Forwarded-For of each client credentials grant ("-" when none), in order. */
    public final List<String> forwardedForSeen = new CopyOnWriteArrayList<>();
    /** Refuse client credentials grants forwarded for this address, as Keycloak does outside a token's networks. */
    public volatile String refuseForwardedFor;

    public volatile long tokenDelayMs = 0;
    public volatile long tokenLifetimeSeconds = 300;

    /** Human login (issue 6): codes issued by {@link #issueCode}, refresh tokens, and how refreshes answer. */
    public record UserLogin(String sub, String sid, String challenge, String nonce, String redirectUri) {}

    public final Map<String, UserLogin> codes = new ConcurrentHashMap<>();
    public final Map<String, UserLogin> refreshTokens = new ConcurrentHashMap<>();
    public final AtomicInteger refreshCalls = new AtomicInteger();
    public volatile boolean refuseRefresh = false;
    public volatile long userTokenLifetimeSeconds = 300;
    public volatile String appSecret = "demo-app-secret";

    public FakeKeycloak(Vertx vertx, TestKey key) {
        this.vertx = vertx;
        this.signingKey = key;
        published.add(key);
    }

    public Future<FakeKeycloak> start() {
        return vertx.createHttpServer()
                .requestHandler(this::handle)
                .listen(0, "127.0.0.1")
                .map(s -> {
                    server = s;
                    return this;
                });
    }

    public int port() {
        return server.actualPort();
    }

    public String issuer() {
        return "http://127.0.0.1:" + port() + "/realms/demo";
    }

    public Future<Void> close() {
        return server.close();
    }

    /** An access token as Keycloak would issue it for {@code demo-app}, overridable claim by claim. */
    public JsonObject claims(String sub) {
        long now = System.currentTimeMillis() / 1000;
        return new JsonObject()
                .put("iss", issuer())
                .put("aud", new JsonArray().add("demo-app"))
                .put("azp", "some-client")
                .put("sub", sub)
                .put("typ", "Bearer")
                .put("iat", now)
                .put("exp", now + 300)
                .put("jti", UUID.randomUUID().toString())
                .put("preferred_username", "alice")
                .put("email", "alice@example.com")
                .put("email_verified", true)
                .put("realm_access", new JsonObject().put("roles", new JsonArray().add("user")));
    }

    /** The {@code service_token.secret} id of JWTs minted with this secret (the provider hashes; any stable name does here). */
    public static String secretId(String secret) {
        return "s" + Integer.toHexString(secret.hashCode());
    }

    public String token(JsonObject claims) {
        return signingKey.sign(claims);
    }

    private void handle(HttpServerRequest req) {
        if (frozen) {
            return;
        }
        String path = req.path();
        if (path.equals("/realms/demo/.well-known/openid-configuration")) {
            String base = issuer() + "/protocol/openid-connect";
            req.response()
                    .putHeader("Content-Type", "application/json")
                    .end(new JsonObject()
                            .put("issuer", issuer())
                            .put("jwks_uri", base + "/certs")
                            .put("token_endpoint", base + "/token")
                            .put("authorization_endpoint", base + "/auth")
                            .put("end_session_endpoint", base + "/logout")
                            .encode());
        } else if (path.equals("/realms/demo/protocol/openid-connect/certs")) {
            jwksCalls.incrementAndGet();
            JsonObject jwks = jwksOverride;
            if (jwks == null) {
                JsonArray keys = new JsonArray();
                published.forEach(k -> keys.add(k.jwk()));
                jwks = new JsonObject().put("keys", keys);
            }
            req.response().putHeader("Content-Type", "application/json").end(jwks.encode());
        } else if (path.equals("/realms/demo/protocol/openid-connect/token")
                && req.method().name().equals("POST")) {
            req.setExpectMultipart(true);
            req.endHandler(v -> token(req, req.formAttributes()));
        } else {
            req.response().setStatusCode(404).end();
        }
    }

    private void token(HttpServerRequest req, MultiMap form) {
        tokenCalls.incrementAndGet();
        switch (tokenMode) {
            case ERROR_503 -> {
                req.response().setStatusCode(503).end();
                return;
            }
            case HANG -> {
                return;
            }
            case RESET -> {
                req.connection().close();
                return;
            }
            default -> {}
        }
        if ("authorization_code".equals(form.get("grant_type")) || "refresh_token".equals(form.get("grant_type"))) {
            userGrant(req, form);
            return;
        }
        clientIdsSeen.add(String.valueOf(form.get("client_id")));
        String forwardedFor = req.getHeader("X-Forwarded-For");
        forwardedForSeen.add(forwardedFor == null ? "-" : forwardedFor);
        Client client = clients.get(String.valueOf(form.get("client_id")));
        if (!"client_credentials".equals(form.get("grant_type"))
                || client == null
                || (forwardedFor != null && forwardedFor.equals(refuseForwardedFor))
                || !client.secret().equals(form.get("client_secret"))) {
            req.response()
                    .setStatusCode(401)
                    .putHeader("Content-Type", "application/json")
                    .end(new JsonObject()
                            .put("error", "invalid_client")
                            .put("error_description", "Invalid client or Invalid client credentials")
                            .encode());
            return;
        }
        String clientId = form.get("client_id");
        JsonObject claims = claims(client.sub())
                .put("azp", clientId)
                .put("client_id", clientId)
                .put("aud", new JsonArray(client.audience()))
                .put("preferred_username", "service-account-" + clientId)
                .put(
                        "service_token",
                        new JsonObject()
                                .put("id", "id-" + clientId)
                                .put("name", client.tokenName())
                                .put("secret", secretId(client.secret())))
                .put("exp", System.currentTimeMillis() / 1000 + tokenLifetimeSeconds);
        claims.remove("email");
        String token = token(claims);
        Runnable answer = () -> req.response()
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject()
                        .put("access_token", token)
                        .put("token_type", "Bearer")
                        .put("expires_in", tokenLifetimeSeconds)
                        .encode());
        if (tokenDelayMs > 0) {
            vertx.setTimer(tokenDelayMs, id -> answer.run());
        } else {
            answer.run();
        }
    }

    /** What Keycloak's login page does: remembers the authorization request and hands out a one-time code. */
    public String issueCode(String sub, String sid, String challenge, String nonce, String redirectUri) {
        String code = UUID.randomUUID().toString();
        codes.put(code, new UserLogin(sub, sid, challenge, nonce, redirectUri));
        return code;
    }

    private void userGrant(HttpServerRequest req, MultiMap form) {
        if (!"demo-app".equals(form.get("client_id")) || !appSecret.equals(form.get("client_secret"))) {
            error(req, 401, "invalid_client");
            return;
        }
        UserLogin login;
        if ("authorization_code".equals(form.get("grant_type"))) {
            login = codes.remove(String.valueOf(form.get("code")));
            String verifier = form.get("code_verifier");
            if (login == null
                    || verifier == null
                    || !login.redirectUri().equals(form.get("redirect_uri"))
                    || !login.challenge().equals(org.servicetokens.sidecar.login.Pkce.challenge(verifier))) {
                error(req, 400, "invalid_grant");
                return;
            }
        } else {
            refreshCalls.incrementAndGet();
            login = refreshTokens.get(String.valueOf(form.get("refresh_token")));
            if (login == null || refuseRefresh) {
                error(req, 400, "invalid_grant");
                return;
            }
        }
        long now = System.currentTimeMillis() / 1000;
        String access = token(claims(login.sub())
                .put("azp", "demo-app")
                .put("sid", login.sid())
                .put("exp", now + userTokenLifetimeSeconds));
        String refresh = UUID.randomUUID().toString();
        refreshTokens.put(refresh, login);
        JsonObject body = new JsonObject()
                .put("access_token", access)
                .put("token_type", "Bearer")
                .put("expires_in", userTokenLifetimeSeconds)
                .put("refresh_token", refresh)
                .put("refresh_expires_in", 1800);
        if (login.nonce() != null) {
            body.put(
                    "id_token",
                    token(new JsonObject()
                            .put("iss", issuer())
                            .put("aud", "demo-app")
                            .put("azp", "demo-app")
                            .put("sub", login.sub())
                            .put("sid", login.sid())
                            .put("nonce", login.nonce())
                            .put("typ", "ID")
                            .put("iat", now)
                            .put("exp", now + 300)));
        }
        Runnable answer = () ->
                req.response().putHeader("Content-Type", "application/json").end(body.encode());
        if (tokenDelayMs > 0) {
            vertx.setTimer(tokenDelayMs, id -> answer.run());
        } else {
            answer.run();
        }
    }

    private static void error(HttpServerRequest req, int status, String error) {
        req.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", error).encode());
    }
}
