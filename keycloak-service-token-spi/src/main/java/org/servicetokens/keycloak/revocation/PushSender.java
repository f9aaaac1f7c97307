package org.servicetokens.keycloak.revocation;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.representations.LogoutToken;
import org.servicetokens.keycloak.model.EffectDelay;

/**
 * Sends owed pushes ({@link PushOutbox} rows), each application on its own: every attempt is one asynchronous
 * HTTP POST ({@code logout_token} form field, OIDC Back-Channel Logout 1.0 §2.5) bounded in total (connect, request
 * and whole response) by {@code push-timeout}, so a slow or dead application costs only its own attempts and never
 * delays another's. A 2xx deletes the row; anything else (refusal, error status, timeout, connection failure) is
 * logged with the application's reason and retried with exponential backoff (1 s, 2 s, 4 s … at most 60 s) until
 * the row is {@code push-max-age} old. Logout tokens are signed just before each attempt, so a retry is fresh.
 * Never logs a logout token: it is a bearer credential for the logout endpoint.
 *
 * <p>Every attempt is claimed before it is made: {@link #prepare} moves the row's lease forward with a conditional
 * update that only one node can win, and the attempt starts only after that transaction committed. So two nodes
 * never send the same row at once. An attempt is repeated only when its outcome could not be recorded (the node died
 * after sending, or the write failed) and the lease ran out: at least once, as a revocation must be, and harmless to
 * receivers (a revocation recorded twice is the same revocation).
 */
public final class PushSender {

    private static final Logger LOG = Logger.getLogger(PushSender.class);
    private static final PushSender INSTANCE = new PushSender();
    private static final int MAX_BODY_BYTES = 4096;
    private static final long MAX_BACKOFF_MILLIS = 60_000;
    /** The sidecar answers {@code {"error":…,"reason":"wrong_issuer"}}; only such short codes are logged. */
    private static final Pattern REASON = Pattern.compile("\"reason\"\\s*:\\s*\"([a-z0-9_]{1,64})\"");

    /** One prepared attempt: the row, where it goes and the signed logout token. */
    record Attempt(
            PushOutbox.Row row,
            String realm,
            String tokenClientId,
            String application,
            String url,
            String reason,
            String logoutToken) {
        @Override
        public String toString() {
            return "push[realm=" + realm + ", token=" + tokenClientId + ", change=" + reason + ", application="
                    + application + ", url=" + printable(url) + ", attempt=" + (row.attempts() + 1) + "]";
        }

        /** Scheme, host, port and path only: a URL's user info or query could hold a credential. */
        private static String printable(String url) {
            try {
                URI u = URI.create(url);
                return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())
                        + (u.getRawPath() == null ? "" : u.getRawPath());
            } catch (IllegalArgumentException e) {
                return "<invalid URL>";
            }
        }
    }

    private final ExecutorService workers = Executors.newFixedThreadPool(2, daemon("service-token-push"));
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(daemon("service-token-push-timer"));
    private volatile HttpClient client;
    private volatile Duration timeout = Duration.ofSeconds(5);
    private volatile long maxAgeMillis = Duration.ofDays(1).toMillis();

    private PushSender() {
        client = newClient();
    }

    /** The one sender of this node. */
    public static PushSender instance() {
        return INSTANCE;
    }

    /** From the SPI options (seconds). */
    public void configure(long timeoutSeconds, long maxAgeSeconds) {
        timeout = Duration.ofSeconds(Math.max(1, timeoutSeconds));
        maxAgeMillis = Duration.ofSeconds(Math.max(60, maxAgeSeconds)).toMillis();
        client = newClient();
    }

    /** How long a row being sent stays hidden from the job: one attempt's bound plus room for the bookkeeping. */
    long leaseMillis() {
        return timeout.toMillis() * 2 + 10_000;
    }

    /** After a commit: sends these rows now, off the caller's thread. */
    void deliver(KeycloakSessionFactory factory, List<String> rowIds) {
        workers.execute(() -> {
            try {
                List<Attempt> attempts = KeycloakModelUtils.runJobInTransactionWithResult(
                        factory, session -> prepare(session, PushOutbox.byIds(session, rowIds)));
                attempts.forEach(attempt -> send(factory, attempt));
            } catch (RuntimeException e) {
                // The rows are still owed: the job sends them when their lease runs out.
                LOG.warnf("Service-token pushes not sent now (%s); the push job retries them", e.toString());
            }
        });
    }

    /**
     * Takes the given rows for one attempt each (skipping rows another node took meanwhile), drops those that can
     * no longer be delivered, and signs a logout token for each of the rest. Runs inside the caller's transaction.
     */
    List<Attempt> prepare(KeycloakSession session, List<PushOutbox.Row> rows) {
        long now = System.currentTimeMillis();
        List<Attempt> attempts = new ArrayList<>();
        for (PushOutbox.Row row : rows) {
            if (!PushOutbox.claim(session, row, now + leaseMillis())) {
                continue;
            }
            TokenNotice notice;
            try {
                notice = TokenNotice.fromJson(row.payload());
            } catch (IllegalArgumentException corrupt) {
                LOG.warnf("Dropping an unreadable service-token push %s", row.id());
                PushOutbox.delete(session, row.id());
                continue;
            }
            RealmModel realm = session.realms().getRealm(row.realmId());
            ClientModel application =
                    realm == null ? null : session.clients().getClientById(realm, row.applicationId());
            // A push to an application the change itself deleted is addressed from the notice; any other row whose
            // application is gone has no one left to tell.
            TokenNotice.DeletedApplication deleted =
                    application == null && realm != null ? notice.deletedApplication() : null;
            String url = application != null
                    ? application.getAttribute(TokenPushes.BACKCHANNEL_LOGOUT_URL)
                    : deleted != null ? deleted.url() : null;
            String audience =
                    application != null ? application.getClientId() : deleted != null ? deleted.clientId() : null;
            if (url == null || url.isBlank() || audience == null) {
                LOG.debugf(
                        "Dropping the push of %s for service token %s: the application or its back-channel logout URL is gone",
                        notice.reason(), notice.tokenClientId());
                PushOutbox.delete(session, row.id());
                continue;
            }
            if (now - row.createdAt() > maxAgeMillis) {
                LOG.warnf(
                        "Gave up pushing '%s' of service token %s in realm %s to application %s after %d attempts over %d s",
                        notice.reason(),
                        notice.tokenClientId(),
                        realm.getName(),
                        audience,
                        row.attempts(),
                        (now - row.createdAt()) / 1000);
                PushOutbox.delete(session, row.id());
                continue;
            }
            String configured = RealmIssuer.configured(session, realm);
            String issuer = configured != null ? configured : notice.issuer();
            if (issuer == null) {
                LOG.warnf(
                        "Service-token push for %s postponed: realm %s has no fixed issuer (set Keycloak's hostname or the realm's Frontend URL)",
                        notice.tokenClientId(), realm.getName());
                PushOutbox.reschedule(session, row.id(), now + backoff(row.attempts() + 1), "no_issuer");
                continue;
            }
            String signed = sign(session, realm, application, notice.logoutToken(issuer, audience, now / 1000));
            attempts.add(
                    new Attempt(row, realm.getName(), notice.tokenClientId(), audience, url, notice.reason(), signed));
        }
        return attempts;
    }

    /** One bounded, asynchronous attempt; its outcome is written back in a transaction of its own. */
    void send(KeycloakSessionFactory factory, Attempt attempt) {
        EffectDelay.pause();
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(attempt.url()))
                    .timeout(timeout)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "logout_token=" + URLEncoder.encode(attempt.logoutToken(), StandardCharsets.UTF_8)))
                    .build();
        } catch (IllegalArgumentException badUrl) {
            finish(factory, attempt, -1, "invalid back-channel logout URL", 0);
            return;
        }
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<String>> call;
        try {
            call = client.sendAsync(request, info -> BoundedBody.of(MAX_BODY_BYTES));
        } catch (RuntimeException e) {
            finish(factory, attempt, -1, e.getClass().getSimpleName(), 0);
            return;
        }
        // The request timeout covers the response head only; cancelling aborts the exchange, body included.
        ScheduledFuture<?> bound = timer.schedule(() -> call.cancel(true), timeout.toMillis(), TimeUnit.MILLISECONDS);
        call.whenCompleteAsync(
                (response, error) -> {
                    bound.cancel(false);
                    long millis = (System.nanoTime() - started) / 1_000_000;
                    if (error == null) {
                        finish(factory, attempt, response.statusCode(), reason(response.body()), millis);
                    } else {
                        Throwable cause =
                                error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                                        ? error.getCause()
                                        : error;
                        boolean timedOut = cause instanceof CancellationException
                                || cause instanceof java.net.http.HttpTimeoutException;
                        finish(
                                factory,
                                attempt,
                                -1,
                                timedOut
                                        ? "timed out after " + timeout.toSeconds() + " s"
                                        : cause.getClass().getSimpleName(),
                                millis);
                    }
                },
                workers);
    }

    private void finish(KeycloakSessionFactory factory, Attempt attempt, int status, String detail, long millis) {
        boolean delivered = status >= 200 && status < 300;
        String error = delivered ? null : status > 0 ? "HTTP " + status + (detail == null ? "" : " " + detail) : detail;
        long retryIn = backoff(attempt.row().attempts() + 1);
        if (delivered) {
            LOG.debugf("Delivered in %d ms: %s", millis, attempt);
        } else if (status >= 400 && status < 500) {
            // The application looked at the logout token and said no: an admin must see why (wrong issuer, audience…).
            LOG.warnf(
                    "Refused by the application (%s) after %d ms: %s; retrying in %d s",
                    error, millis, attempt, retryIn / 1000);
        } else {
            LOG.infof("Not delivered (%s) after %d ms: %s; retrying in %d s", error, millis, attempt, retryIn / 1000);
        }
        try {
            KeycloakModelUtils.runJobInTransaction(factory, session -> {
                if (delivered) {
                    PushOutbox.delete(session, attempt.row().id());
                } else {
                    PushOutbox.reschedule(session, attempt.row().id(), System.currentTimeMillis() + retryIn, error);
                }
            });
        } catch (RuntimeException e) {
            // The lease runs out and the job tries again: at least once, perhaps twice.
            LOG.warnf("Could not record the outcome of %s: %s", attempt, e.toString());
        }
    }

    static long backoff(int attempts) {
        return Math.min(MAX_BACKOFF_MILLIS, 1000L << Math.min(16, Math.max(0, attempts - 1)));
    }

    private static String reason(String body) {
        if (body == null) {
            return null;
        }
        var matcher = REASON.matcher(body);
        return matcher.find() ? matcher.group(1) : null;
    }

    // The algorithm follows the receiving application's ID-token setting, as Keycloak's own back-channel logout
    // does, so the application verifies both kinds of logout token the same way. A deleted application (null) gets
    // the realm's default algorithm.
    private static String sign(KeycloakSession session, RealmModel realm, ClientModel application, LogoutToken token) {
        KeycloakContext context = session.getContext();
        RealmModel previousRealm = context.getRealm();
        ClientModel previousClient = context.getClient();
        try {
            context.setRealm(realm);
            context.setClient(application);
            return session.tokens().encode(token);
        } finally {
            context.setRealm(previousRealm);
            context.setClient(previousClient);
        }
    }

    private HttpClient newClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Stops sending (Keycloak is shutting down); rows not yet sent stay owed and the push job sends them. */
    public void shutdown() {
        workers.shutdownNow();
        timer.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
