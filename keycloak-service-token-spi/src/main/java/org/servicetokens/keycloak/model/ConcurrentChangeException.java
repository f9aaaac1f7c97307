package org.servicetokens.keycloak.model;

/** Another transaction is changing the same token right now; the caller may retry (the API answers 409). */
public final class ConcurrentChangeException extends RuntimeException {

    public ConcurrentChangeException() {
        super("Another change to this service token is in progress; try again", null, false, false);
    }
}
