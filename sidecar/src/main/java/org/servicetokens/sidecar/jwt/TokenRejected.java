package org.servicetokens.sidecar.jwt;

/**
 * A token that must not be accepted. {@link #reason()} is a short code for the JSON answer, the access log
 * and metrics; it never contains the token. {@link #unavailable()} marks "cannot verify right now" (no keys
 * loaded yet), which is answered with 503 rather than 401.
 */
public final class TokenRejected extends RuntimeException {

  private final boolean unavailable;

  public TokenRejected(String reason) {
    this(reason, false);
  }

  public TokenRejected(String reason, boolean unavailable) {
    super(reason, null, false, false);
    this.unavailable = unavailable;
  }

  public String reason() {
    return getMessage();
  }

  public boolean unavailable() {
    return unavailable;
  }
}
