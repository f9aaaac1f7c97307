package org.servicetokens.sidecar.exchange;

/**
 * Why an exchange gave no token. {@code status} is what the caller should answer: 401 when Keycloak refused
 * the credential, 503 (with {@code retryAfterSeconds}) when Keycloak could not be asked.
 */
public final class ExchangeFailure extends RuntimeException {

  private final int status;
  private final String reason;
  private final long retryAfterSeconds;

  public ExchangeFailure(int status, String reason, long retryAfterSeconds) {
    super(reason, null, false, false);
    this.status = status;
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int status() {
    return status;
  }

  public String reason() {
    return reason;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
