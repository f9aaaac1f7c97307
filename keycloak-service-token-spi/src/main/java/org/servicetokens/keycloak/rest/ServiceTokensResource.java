package org.servicetokens.keycloak.rest;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;
import org.keycloak.urls.UrlType;
import org.servicetokens.keycloak.jobs.LastUsedTracker;
import org.servicetokens.keycloak.model.AllowedNetworks;
import org.servicetokens.keycloak.model.ConcurrentChangeException;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.model.ServiceTokenSettings;
import org.servicetokens.keycloak.model.TokenDuration;
import org.servicetokens.keycloak.model.TokenHealth;
import org.servicetokens.keycloak.rest.Representations.*;
import org.servicetokens.keycloak.service.ServiceTokenManager;
import org.servicetokens.keycloak.service.ServiceTokenManager.IssuedSecret;

/**
 * {@code /admin/realms/{realm}/service-tokens}. Reading needs view-clients, changing needs manage-clients,
 * changing the realm policy needs manage-realm. Admin events carry the token view, never a secret. Every change
 * locks its token first (one change at a time: 409 for a concurrent one, 404 once it is deleted).
 */
@Produces(MediaType.APPLICATION_JSON)
public class ServiceTokensResource {

    private static final int DEFAULT_MAX = 100;
    private static final int LIMIT_MAX = 1000;

    private final KeycloakSession session;
    private final RealmModel realm;
    private final AdminPermissionEvaluator auth;
    private final AdminEventBuilder adminEvent;
    private final ServiceTokenManager manager;

    ServiceTokensResource(
            KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth, AdminEventBuilder adminEvent) {
        this.session = session;
        this.realm = realm;
        this.auth = auth;
        this.adminEvent = adminEvent.resource(ResourceType.CLIENT);
        this.manager = new ServiceTokenManager(session, realm);
    }

    /**
     * {@code GET /?search=&first=&max=}: a page of the realm's tokens ({@code TokenView}s, never a secret), sorted by
     * name; {@code search} (at most 200 characters) matches name, client ID or description, case-insensitively;
     * {@code max} defaults to 100 and is capped at 1000. 400 for a negative or non-numeric {@code first}/{@code max},
     * 403 without view-clients.
     */
    @GET
    @Path("")
    public Response list(
            @QueryParam("search") String search, @QueryParam("first") String first, @QueryParam("max") String max) {
        requireView();
        int firstResult = nonNegative("first", first, 0);
        int maxResults = Math.min(nonNegative("max", max, DEFAULT_MAX), LIMIT_MAX);
        String needle = search == null ? "" : search.strip().toLowerCase(Locale.ROOT);
        if (needle.length() > 200) {
            throw ApiError.badRequest("'search' is at most 200 characters");
        }
        Instant now = Instant.now();
        List<TokenView> tokens = manager.list()
                .filter(token -> needle.isEmpty()
                        || contains(token.name(), needle)
                        || contains(token.clientId(), needle)
                        || contains(token.description(), needle))
                .skip(firstResult)
                .limit(maxResults)
                .map(token -> TokenView.of(session, realm, token, now))
                .toList();
        return ok(tokens);
    }

    /**
     * {@code POST /} with {@code {name, description?, duration?, applications?, networks?, owners?, inactivityDays?,
     * inactivityAction?}} (owners: at most 20 e-mail addresses; the inactivity pair overrides the realm's rule) (duration ISO-8601 or
     * {@code never}, default and maximum from the realm settings; applications by client ID; networks: at most 50
     * IPv4/IPv6 CIDR ranges, see {@code NetworkRange}): 201 with an absolute {@code Location}
     * (RFC 9110 §10.2.2) and {@code {id, clientId, clientSecret, expiresAt}}, the only answer that carries the secret
     * ({@code Cache-Control: no-store}). 400 for bad input, 403 without manage-clients, 409 for unreadable settings.
     */
    @POST
    @Path("")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(String body) {
        requireManage();
        CreateRequest request = Json.read(body, CreateRequest.class);
        Instant now = Instant.now();
        ServiceTokenSettings settings = ServiceTokenSettings.read(realm);
        String name = Validation.name(request.name(), true);
        String description = Validation.description(request.description());
        requireReadableSettings(request.duration() == null);
        TokenDuration duration = Validation.duration("duration", request.duration(), settings, now);
        List<String> applications = Validation.applications(session, realm, request.applications());
        AllowedNetworks networks = Validation.networks(request.networks());
        List<String> owners = Validation.owners(request.owners());
        var inactivity = Validation.inactivityRule(request.inactivityDays(), request.inactivityAction());

        IssuedSecret issued = manager.create(
                name,
                description,
                duration,
                applications == null ? List.of() : applications,
                auth.adminAuth().getUser(),
                now);
        ServiceToken token = issued.token();
        if (networks != null) {
            token.setNetworks(networks);
        }
        if (owners != null) {
            token.setOwners(owners);
        }
        inactivity.ifPresent(rule -> token.setInactivityRule(rule.orElse(null)));
        event(OperationType.CREATE, token, now, token.id());
        CreatedToken created = new CreatedToken(
                token.id(),
                token.clientId(),
                issued.secret(),
                Representations.text(token.expiresAt().orElse(null)));
        return secretResponse(Response.created(tokenUrl(token.id())), created);
    }

    /** {@code GET /settings}: the realm policy, with the keys whose stored value is unreadable. 403 without view-clients. */
    @GET
    @Path("settings")
    public Response getSettings() {
        requireView();
        return ok(SettingsView.of(ServiceTokenSettings.read(realm), ServiceTokenSettings.unreadable(realm)));
    }

    /** {@code PUT /settings}: changes the given keys of the realm policy; 400 for bad input, 403 without manage-realm. */
    @PUT
    @Path("settings")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response putSettings(String body) {
        if (!auth.realm().canManageRealm()) {
            throw ApiError.forbidden("Changing the service-token settings needs the manage-realm role");
        }
        SettingsRequest request = Json.read(body, SettingsRequest.class);
        ServiceTokenSettings settings = Validation.settings(request, ServiceTokenSettings.read(realm));
        settings.write(realm);
        SettingsView view = SettingsView.of(settings, List.of());
        adminEvent
                .clone(session)
                .resource(ResourceType.REALM)
                .operation(OperationType.UPDATE)
                .resourcePath("service-tokens", "settings")
                .representation(view)
                .success();
        return ok(view);
    }

    /**
     * {@code GET /{id}}: the token ({@code TokenView}), including each secret's use
     * ({@code secretUse}/{@code previousSecretUse}: {@code {lastUsedAt, address, userAgent, count}} or null) and its
     * {@code networks}; 404 when there is none, 403 without view-clients.
     */
    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id) {
        requireView();
        return ok(TokenView.of(session, realm, find(id), Instant.now()));
    }

    /**
     * {@code PUT /{id}} with {@code {name?, description?, enabled?, applications?, networks?, owners?, inactivityDays?,
     * inactivityAction?}} ({@code inactivityAction: "realm"} returns the token to the realm's rule): the token after the
     * change, pushed to the applications it concerns ({@code networks: []} lifts the limit; a change of networks
     * revokes the token's JWTs so none minted under the old list lives on). 400, 403, 404, 409 (another change to it in progress).
     */
    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response update(@PathParam("id") String id, String body) {
        requireManage();
        UpdateRequest request = Json.read(body, UpdateRequest.class);
        String name = Validation.name(request.name(), false);
        String description = Validation.description(request.description());
        List<String> applications = Validation.applications(session, realm, request.applications());
        AllowedNetworks networks = Validation.networks(request.networks());
        List<String> owners = Validation.owners(request.owners());
        var inactivity = Validation.inactivityRule(request.inactivityDays(), request.inactivityAction());
        ServiceToken token = lock(id);
        Instant now = Instant.now();
        manager.update(token, name, description, request.enabled(), applications, now);
        if (networks != null) {
            manager.setNetworks(token, networks, now);
        }
        if (owners != null) {
            token.setOwners(owners);
        }
        inactivity.ifPresent(rule -> token.setInactivityRule(rule.orElse(null)));
        return ok(event(OperationType.UPDATE, token, now, token.id()));
    }

    /**
     * {@code POST /{id}/rotate} with {@code {gracePeriod?}} (ISO-8601, {@code PT0S} to {@code P30D}, default
     * {@code PT0S}): {@code {clientId, clientSecret, previousSecretExpiresAt}}, never cached. 400, 403, 404, 409.
     */
    @POST
    @Path("{id}/rotate")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response rotate(@PathParam("id") String id, String body) {
        requireManage();
        RotateRequest request = Json.read(body, RotateRequest.class);
        java.time.Duration grace = Validation.gracePeriod(request.gracePeriod());
        ServiceToken token = lock(id);
        Instant now = Instant.now();
        if (!grace.isZero() && hasProblem(token, "secret_hash_unreadable")) {
            throw ApiError.badRequest(
                    "The current secret hash is unreadable, so it cannot stay valid for a grace period: rotate with 'gracePeriod' PT0S");
        }
        IssuedSecret issued = manager.rotate(token, grace, now);
        event(OperationType.ACTION, token, now, token.id(), "rotate");
        RotatedSecret rotated = new RotatedSecret(
                token.clientId(),
                issued.secret(),
                token.previousSecretValid(now)
                        ? Representations.text(token.previousSecretExpiresAt().orElse(null))
                        : null);
        return secretResponse(Response.ok(), rotated);
    }

    /**
     * {@code PUT /{id}/previous-secret} with {@code {expiresAt}} (ISO-8601 UTC, at most 30 days ahead; a time not in
     * the future ends the grace now): the token. 400 when there is no previous secret in its grace, 403, 404, 409.
     */
    @PUT
    @Path("{id}/previous-secret")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response previousSecret(@PathParam("id") String id, String body) {
        requireManage();
        PreviousSecretRequest request = Json.read(body, PreviousSecretRequest.class);
        Instant now = Instant.now();
        Instant latest = now.plus(Validation.MAX_GRACE);
        Instant expiresAt = Validation.timestamp(
                "expiresAt",
                request.expiresAt(),
                latest,
                "30 days from now (" + latest.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")");
        ServiceToken token = lock(id);
        if (!token.previousSecretValid(now)) {
            throw ApiError.badRequest("This token has no previous secret in its grace period");
        }
        manager.setPreviousSecretExpiry(
                token,
                expiresAt,
                now,
                LastUsedTracker.instance().previousSecretUse(realm, token).orElse(null));
        return ok(event(OperationType.UPDATE, token, now, token.id(), "previous-secret"));
    }

    /** {@code POST /{id}/extend} with {@code {duration?}}: the token, expiring {@code duration} from now. 400, 403, 404, 409. */
    @POST
    @Path("{id}/extend")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response extend(@PathParam("id") String id, String body) {
        requireManage();
        ExtendRequest request = Json.read(body, ExtendRequest.class);
        Instant now = Instant.now();
        requireReadableSettings(request.duration() == null);
        TokenDuration duration =
                Validation.duration("duration", request.duration(), ServiceTokenSettings.read(realm), now);
        ServiceToken token = lock(id);
        manager.extend(token, duration, now);
        return ok(event(OperationType.ACTION, token, now, token.id(), "extend"));
    }

    /** {@code DELETE /{id}}: 204; the token stops working at once and its applications are told. 403, 404, 409. */
    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id) {
        requireManage();
        ServiceToken token = lock(id);
        Instant now = Instant.now();
        TokenView view = TokenView.of(session, realm, token, now);
        manager.delete(token, now);
        adminEvent
                .clone(session)
                .operation(OperationType.DELETE)
                .resourcePath("service-tokens", id)
                .representation(view)
                .success();
        return Response.noContent().build();
    }

    /**
     * Fixes what {@link TokenHealth#repair} can (service account, authenticator type, flows, mappers, unreadable
     * previous secret, creation time or application list). Answers the token; its {@code problems} then list only
     * what needs another call (extend, rotate).
     */
    @POST
    @Path("{id}/repair")
    public Response repair(@PathParam("id") String id) {
        requireManage();
        ServiceToken token = lock(id);
        Instant now = Instant.now();
        List<String> repaired = manager.repair(token);
        if (repaired.isEmpty()) {
            return ok(TokenView.of(session, realm, token, now));
        }
        return ok(event(OperationType.ACTION, token, now, token.id(), "repair"));
    }

    private TokenView event(OperationType operation, ServiceToken token, Instant now, String... path) {
        TokenView view = TokenView.of(session, realm, token, now);
        String[] fullPath = new String[path.length + 1];
        fullPath[0] = "service-tokens";
        System.arraycopy(path, 0, fullPath, 1, path.length);
        adminEvent
                .clone(session)
                .operation(operation)
                .resourcePath(fullPath)
                .representation(view)
                .success();
        return view;
    }

    private ServiceToken find(String id) {
        return manager.find(id).orElseThrow(ApiError::notFound);
    }

    /** The token, locked for this change: 404 when it is gone, 409 while another change to it is in progress. */
    private ServiceToken lock(String id) {
        try {
            return manager.lock(id).orElseThrow(ApiError::notFound);
        } catch (ConcurrentChangeException busy) {
            throw ApiError.conflict(busy.getMessage());
        }
    }

    /** The API URL of a token under the base URI the admin reached Keycloak by (an absolute URI, RFC 9110 §10.2.2). */
    private URI tokenUrl(String id) {
        return session.getContext()
                .getUri(UrlType.ADMIN)
                .getBaseUriBuilder()
                .path("admin/realms/{realm}/service-tokens/{id}")
                .build(realm.getName(), id);
    }

    private boolean hasProblem(ServiceToken token, String reason) {
        return token.attributeProblems().stream().anyMatch(problem -> reason.equals(problem.reason()));
    }

    /** Fail closed on a realm policy someone broke by hand: no token is made or extended against a guessed limit. */
    private void requireReadableSettings(boolean usesDefault) {
        List<String> unreadable = ServiceTokenSettings.unreadable(realm);
        if (unreadable.contains("maxDuration") || (usesDefault && unreadable.contains("defaultDuration"))) {
            throw ApiError.conflict("This realm's service-token settings " + unreadable
                    + " cannot be read; save the settings again (PUT /settings) before creating or extending tokens");
        }
    }

    private void requireView() {
        if (!auth.clients().canView()) {
            throw ApiError.forbidden("Listing service tokens needs the view-clients role");
        }
    }

    private void requireManage() {
        if (!auth.clients().canManage()) {
            throw ApiError.forbidden("Changing service tokens needs the manage-clients role");
        }
    }

    private static boolean contains(String haystack, String needle) {
        return haystack != null && haystack.toLowerCase(Locale.ROOT).contains(needle);
    }

    private static int nonNegative(String field, String value, int fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed < 0) {
                throw ApiError.badRequest("'" + field + "' must not be negative");
            }
            return parsed;
        } catch (NumberFormatException notANumber) {
            throw ApiError.badRequest("'" + field + "' must be a whole number");
        }
    }

    private static Response ok(Object entity) {
        return Response.ok(Json.write(entity), MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** The one response that carries a secret: never cached, never stored by a browser or proxy. */
    private static Response secretResponse(Response.ResponseBuilder builder, Object entity) {
        return builder.entity(Json.write(entity))
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header("Cache-Control", "no-store")
                .header("Pragma", "no-cache")
                .build();
    }
}
