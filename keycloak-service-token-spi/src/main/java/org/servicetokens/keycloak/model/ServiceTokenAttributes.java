package org.servicetokens.keycloak.model;

/** Client attribute names under which a service token keeps its state. Secrets appear only as hashes. */
public final class ServiceTokenAttributes {

    public static final String MARKER = "service-token";
    public static final String SECRET_HASH = "service-token.secret-hash";
    public static final String EXPIRES_AT = "service-token.expires-at";
    public static final String PREVIOUS_SECRET_HASH = "service-token.previous-secret-hash";
    public static final String PREVIOUS_EXPIRES_AT = "service-token.previous-expires-at";
    public static final String CREATED_AT = "service-token.created-at";
    public static final String CREATED_BY = "service-token.created-by";
    public static final String CREATED_BY_EMAIL = "service-token.created-by-email";
    /** Applications by the clients' internal ids (a JSON array): a rename keeps them, a deletion drops them. */
    public static final String APPLICATION_IDS = "service-token.application-ids";
    /** Before 0.2: applications by client ID text (a JSON array). Read as a fallback, migrated at start-up. */
    public static final String LEGACY_APPLICATIONS = "service-token.applications";

    public static final String LAST_USED_AT = "service-token.last-used-at";
    /**
     * Moves on whenever every JWT of the token is revoked while the token lives on (disable, removal of an
     * application), so the secret ids of JWTs minted afterwards differ from the revoked ones.
     */
    public static final String GENERATION = "service-token.generation";
    /** The current secret's use ({@link SecretUse}, JSON): flushed from memory at most once a minute per node. */
    public static final String SECRET_USE = "service-token.secret-use";
    /** The previous secret's use during a grace period ({@link SecretUse}, JSON); the current one's moves here on rotation. */
    public static final String PREVIOUS_SECRET_USE = "service-token.previous-secret-use";
    /** The networks the token may be used from ({@link AllowedNetworks}, a JSON array of CIDR ranges); absent: anywhere. */
    public static final String NETWORKS = "service-token.networks";
    /** Owners' e-mail addresses (a JSON array): they get the token's expiry warnings and inactivity notices. */
    public static final String OWNERS = "service-token.owners";
    /** The token's own inactivity rule, overriding the realm's: days without use (0: never) ... */
    public static final String INACTIVITY_DAYS = "service-token.inactivity-days";
    /** ... and the action then ({@code none}, {@code disable}, {@code delete}); both or neither are set. */
    public static final String INACTIVITY_ACTION = "service-token.inactivity-action";
    /** Smallest warning threshold (in days) already mailed for the current expiry, so each goes out once. */
    public static final String EXPIRY_WARNED_DAYS = "service-token.expiry-warned-days";

    private ServiceTokenAttributes() {}
}
