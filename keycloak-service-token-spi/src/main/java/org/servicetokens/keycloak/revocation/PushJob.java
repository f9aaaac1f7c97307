package org.servicetokens.keycloak.revocation;

import java.util.List;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;
import org.keycloak.timer.ScheduledTask;

/**
 * On every node, every {@code push-interval} (each node on its own timer): takes the owed pushes that are due (a retry whose backoff ran out,
 * or a fresh change whose node did not send it within its lease, e.g. because it died) and sends them, each on its
 * own, after this job's transaction has recorded the attempt (the claim, see {@link PushSender}): a row two nodes
 * read at once is sent by the one whose claim committed. The job never waits for an application.
 */
public final class PushJob implements ScheduledTask {

    public static final String NAME = "service-token-push";
    private static final int BATCH = 100;

    @Override
    public void run(KeycloakSession session) {
        PushSender sender = PushSender.instance();
        List<PushSender.Attempt> attempts =
                sender.prepare(session, PushOutbox.due(session, System.currentTimeMillis(), BATCH));
        if (attempts.isEmpty()) {
            return;
        }
        var factory = session.getKeycloakSessionFactory();
        session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                attempts.forEach(attempt -> sender.send(factory, attempt));
            }

            @Override
            protected void rollbackImpl() {
                // Nothing was claimed: the rows stay due for the next round.
            }
        });
    }

    @Override
    public String getTaskName() {
        return NAME;
    }
}
