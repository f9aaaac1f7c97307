package org.servicetokens.keycloak.model;

/**
 * Why a token cannot work as it is, as the authenticator sees it: {@code reason} is the event detail
 * ({@code service_token_error}) and the API's machine-readable code, {@code description} says what is wrong and
 * what fixes it, {@code fix} names the API call that does ({@code repair}, {@code extend}, {@code rotate},
 * {@code update}).
 */
public record Problem(String reason, String description, String fix) {

    public static final String REPAIR = "repair";
    public static final String EXTEND = "extend";
    public static final String ROTATE = "rotate";
    public static final String UPDATE = "update";
}
