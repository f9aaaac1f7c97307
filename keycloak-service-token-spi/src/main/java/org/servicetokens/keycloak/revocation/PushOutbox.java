package org.servicetokens.keycloak.revocation;

import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.connections.jpa.util.JpaUtils;
import org.keycloak.models.KeycloakSession;

/**
 * The durable list of pushes still owed to applications: one row per (change, application) in table
 * {@code SERVICE_TOKEN_PUSH}, created by {@link PushTableProviderFactory}'s Liquibase changelog. A row is written in
 * the admin transaction that makes the change, so it exists if and only if the change committed, whatever happens to
 * the node afterwards; it is deleted once the application answered 2xx, or given up after the maximum age.
 *
 * <p>Plain SQL through Keycloak's own EntityManager (Keycloak's build only maps entities of its own packages), with
 * the schema prefix Keycloak uses for its native queries. {@code NEXT_ATTEMPT_AT} doubles as a lease: a row being
 * sent is pushed into the future by the sender, so the cluster-wide job only picks rows nobody is working on.
 */
final class PushOutbox {

    static final String TABLE = "SERVICE_TOKEN_PUSH";

    /** One owed push. Times are epoch milliseconds. */
    record Row(
            String id,
            String realmId,
            String applicationId,
            String tokenId,
            String payload,
            long createdAt,
            long nextAttemptAt,
            int attempts) {}

    private PushOutbox() {}

    static void insert(KeycloakSession session, Row row) {
        EntityManager em = em(session);
        em.createNativeQuery(
                        "insert into " + table(em) + " (ID, REALM_ID, APPLICATION_ID, TOKEN_ID, PAYLOAD, CREATED_AT,"
                                + " NEXT_ATTEMPT_AT, ATTEMPTS) values (:id, :realm, :app, :token, :payload, :created, :next, :attempts)")
                .setParameter("id", row.id())
                .setParameter("realm", row.realmId())
                .setParameter("app", row.applicationId())
                .setParameter("token", row.tokenId())
                .setParameter("payload", row.payload())
                .setParameter("created", row.createdAt())
                .setParameter("next", row.nextAttemptAt())
                .setParameter("attempts", row.attempts())
                .executeUpdate();
    }

    /** Rows due at {@code now}, oldest due first, at most {@code limit}. */
    static List<Row> due(KeycloakSession session, long now, int limit) {
        EntityManager em = em(session);
        List<?> result = em.createNativeQuery(select(em) + " where NEXT_ATTEMPT_AT <= :now order by NEXT_ATTEMPT_AT")
                .setParameter("now", now)
                .setMaxResults(limit)
                .getResultList();
        return rows(result);
    }

    static List<Row> byIds(KeycloakSession session, List<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        EntityManager em = em(session);
        return rows(em.createNativeQuery(select(em) + " where ID in (:ids)")
                .setParameter("ids", ids)
                .getResultList());
    }

    /**
     * Takes a row for one attempt: moves its next attempt to {@code leaseUntil} and counts the attempt, only if
     * nobody else took it since it was read. False when someone did (the row is theirs now).
     */
    static boolean claim(KeycloakSession session, Row row, long leaseUntil) {
        EntityManager em = em(session);
        return em.createNativeQuery("update " + table(em) + " set NEXT_ATTEMPT_AT = :lease, ATTEMPTS = ATTEMPTS + 1"
                                + " where ID = :id and NEXT_ATTEMPT_AT = :seen")
                        .setParameter("lease", leaseUntil)
                        .setParameter("id", row.id())
                        .setParameter("seen", row.nextAttemptAt())
                        .executeUpdate()
                == 1;
    }

    static void delete(KeycloakSession session, String id) {
        EntityManager em = em(session);
        em.createNativeQuery("delete from " + table(em) + " where ID = :id")
                .setParameter("id", id)
                .executeUpdate();
    }

    static void reschedule(KeycloakSession session, String id, long next, String error) {
        EntityManager em = em(session);
        em.createNativeQuery("update " + table(em) + " set NEXT_ATTEMPT_AT = :next, LAST_ERROR = :error where ID = :id")
                .setParameter("next", next)
                .setParameter("error", error.length() > 255 ? error.substring(0, 255) : error)
                .setParameter("id", id)
                .executeUpdate();
    }

    private static String select(EntityManager em) {
        return "select ID, REALM_ID, APPLICATION_ID, TOKEN_ID, PAYLOAD, CREATED_AT, NEXT_ATTEMPT_AT, ATTEMPTS from "
                + table(em);
    }

    // Column types come back as the driver likes (Long, BigInteger, BigDecimal, Integer): read them as Numbers.
    private static List<Row> rows(List<?> result) {
        List<Row> rows = new ArrayList<>(result.size());
        for (Object o : result) {
            Object[] c = (Object[]) o;
            rows.add(new Row(
                    (String) c[0],
                    (String) c[1],
                    (String) c[2],
                    (String) c[3],
                    String.valueOf(c[4]),
                    ((Number) c[5]).longValue(),
                    ((Number) c[6]).longValue(),
                    ((Number) c[7]).intValue()));
        }
        return rows;
    }

    private static EntityManager em(KeycloakSession session) {
        return session.getProvider(JpaConnectionProvider.class).getEntityManager();
    }

    private static String table(EntityManager em) {
        return JpaUtils.getTableNameForNativeQuery(TABLE, em);
    }
}
