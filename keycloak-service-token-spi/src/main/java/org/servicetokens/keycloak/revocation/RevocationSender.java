package org.servicetokens.keycloak.revocation;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.entity.UrlEncodedFormEntity;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.message.BasicNameValuePair;
import org.apache.http.util.EntityUtils;
import org.jboss.logging.Logger;

/**
 * Delivers logout tokens off the request thread, with a few spaced retries. A failure is logged (without the
 * token: it is a bearer credential for the logout endpoint) and never surfaces to the admin.
 */
public final class RevocationSender {

    public record Delivery(String realm, String tokenClientId, String application, String url, String logoutToken) {
        @Override
        public String toString() {
            return "Delivery[realm=" + realm + ", token=" + tokenClientId + ", application=" + application + ", url=" + url + "]";
        }
    }

    private static final Logger LOG = Logger.getLogger(RevocationSender.class);
    private static final long[] RETRY_DELAYS_SECONDS = {1, 5, 25};
    private static final int TIMEOUT_MILLIS = 5_000;
    private static final RevocationSender INSTANCE = new RevocationSender();

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "service-token-revocation-sender");
        thread.setDaemon(true);
        return thread;
    });

    private RevocationSender() {
    }

    public static RevocationSender instance() {
        return INSTANCE;
    }

    public void send(CloseableHttpClient httpClient, Delivery delivery) {
        executor.execute(() -> attempt(httpClient, delivery, 0));
    }

    public void shutdown() {
        executor.shutdownNow();
    }

    private void attempt(CloseableHttpClient httpClient, Delivery delivery, int attempt) {
        String failure = post(httpClient, delivery);
        if (failure == null) {
            LOG.debugf("Revocation delivered: %s", delivery);
            return;
        }
        if (attempt < RETRY_DELAYS_SECONDS.length) {
            LOG.debugf("Revocation attempt %d failed (%s), retrying: %s", attempt + 1, failure, delivery);
            executor.schedule(() -> attempt(httpClient, delivery, attempt + 1), RETRY_DELAYS_SECONDS[attempt], TimeUnit.SECONDS);
        } else {
            LOG.warnf("Revocation could not be delivered after %d attempts (%s): %s", attempt + 1, failure, delivery);
        }
    }

    private static String post(CloseableHttpClient httpClient, Delivery delivery) {
        HttpPost post = new HttpPost(delivery.url());
        post.setConfig(RequestConfig.custom().setConnectTimeout(TIMEOUT_MILLIS).setSocketTimeout(TIMEOUT_MILLIS)
                .setConnectionRequestTimeout(TIMEOUT_MILLIS).build());
        post.setEntity(new UrlEncodedFormEntity(List.of(new BasicNameValuePair("logout_token", delivery.logoutToken())),
                StandardCharsets.UTF_8));
        try (CloseableHttpResponse response = httpClient.execute(post)) {
            int status = response.getStatusLine().getStatusCode();
            EntityUtils.consumeQuietly(response.getEntity());
            return status >= 200 && status < 300 ? null : "HTTP " + status;
        } catch (Exception e) {
            return e.getClass().getSimpleName();
        }
    }
}
