package org.servicetokens.sidecar.exchange;

import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;

import java.time.Duration;
import java.util.logging.Logger;

/**
 * Asks Keycloak every {@code keycloak.probe-interval} whether it answers (a GET of the realm's discovery
 * document, bounded by {@code keycloak.timeout}). Two uses: the reachability shown on {@code /ready} and in
 * {@code sidecar_keycloak_reachable}, and recovery: when Keycloak answers again after failed probes while the
 * circuit breaker is open, the breaker closes at once instead of waiting out its open duration, so exchanges resume within one
 * probe interval of Keycloak's return. A failed probe does not open the breaker: only token-endpoint
 * failures do (a hiccup on the discovery URL must not turn new exchanges away).
 */
public final class KeycloakProbe {

  private static final Logger LOG = Logger.getLogger(KeycloakProbe.class.getName());

  private final Vertx vertx;
  private final WebClient client;
  private final String url;
  private final Duration interval;
  private final long timeoutMs;
  private final CircuitBreaker breaker;
  // Optimistic until the first answer: the start-up JWKS load already waits for Keycloak.
  private volatile boolean reachable = true;
  private volatile boolean probing;
  private long timerId = -1;

  public KeycloakProbe(Vertx vertx, WebClient client, String url, Duration interval, Duration timeout,
                       CircuitBreaker breaker) {
    this.vertx = vertx;
    this.client = client;
    this.url = url;
    this.interval = interval;
    this.timeoutMs = timeout.toMillis();
    this.breaker = breaker;
  }

  public void start() {
    timerId = vertx.setPeriodic(interval.toMillis(), id -> probe());
  }

  public void close() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  public boolean reachable() {
    return reachable;
  }

  private void probe() {
    if (probing) {
      return;
    }
    probing = true;
    client.getAbs(url).timeout(timeoutMs).send().onComplete(ar -> {
      probing = false;
      boolean up = ar.succeeded() && ar.result().statusCode() < 500;
      if (up != reachable) {
        LOG.warning(up ? "Keycloak answers again" : "Keycloak does not answer ("
            + (ar.failed() ? ar.cause().getClass().getSimpleName() : "HTTP " + ar.result().statusCode())
            + "); cached and verified tokens keep working, new exchanges get 503");
      }
      boolean returned = up && !reachable;
      reachable = up;
      // Only on a return seen by the probe itself: while the probe sees Keycloak up all along, the breaker
      // is the token endpoint's business (it may fail on its own) and keeps its open duration.
      if (returned && breaker.state() != CircuitBreaker.State.CLOSED) {
        breaker.onSuccess();
        LOG.info("circuit breaker closed: Keycloak is reachable");
      }
    });
  }
}
