package org.servicetokens.sidecar.credentials;

/** A request whose credentials cannot be read unambiguously; carries the status and a short reason code. */
public final class CredentialException extends Exception {

    private final int status;

    public CredentialException(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return getMessage();
    }
}
