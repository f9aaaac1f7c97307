package org.servicetokens.keycloak.startup;

import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.provider.ProviderEvent;
import org.keycloak.provider.ProviderEventListener;
import org.keycloak.services.scheduled.ClusterAwareScheduledTaskRunner;
import org.keycloak.services.scheduled.ScheduledTaskRunner;
import org.keycloak.timer.TimerProvider;
import org.servicetokens.keycloak.authenticator.FlowInstaller;
import org.servicetokens.keycloak.authenticator.MalformedFormFilter;
import org.servicetokens.keycloak.jobs.DailyMaintenanceTask;
import org.servicetokens.keycloak.jobs.GraceEndTask;
import org.servicetokens.keycloak.jobs.LastUsedTracker;
import org.servicetokens.keycloak.revocation.PushJob;
import org.servicetokens.keycloak.revocation.PushSender;
import org.servicetokens.keycloak.service.ServiceTokenManager;

/**
 * Everything the provider does when Keycloak starts, in one place. Made from the admin REST extension's options
 * ({@link #configure}), started from its factory's {@code postInit} ({@link #start}), closed with it ({@link #close}).
 * <ul>
 *   <li>At {@code postInit}: the form filter gets the session factory, and the given listeners (the guard over
 *       Keycloak's own client APIs) are registered, so they see every change from then on.</li>
 *   <li>Once the database is migrated ({@link PostMigrationEvent}): the service-token authenticator is put first in
 *       every realm's client-authentication flow, legacy application lists are stored by client id, and the
 *       background jobs are scheduled.</li>
 *   <li>For each realm created later ({@link RealmModel.RealmPostCreateEvent}): the authenticator is put in its flow.</li>
 * </ul>
 * Job intervals are SPI options of the REST extension (seconds), e.g.
 * {@code --spi-admin-realm-restapi-extension--service-tokens--maintenance-interval=86400}: {@code maintenance-interval}
 * (86400), {@code grace-check-interval} (5), {@code push-interval} (2: owed pushes), {@code push-timeout} (5: one push
 * attempt, connect to end of response), {@code push-max-age} (86400: when an undeliverable push is given up). The
 * last-used flush interval is an option of the authenticator (see {@link LastUsedTracker#configure}).
 */
public final class ProviderStartup implements ProviderEventListener {

    private static final Logger LOG = Logger.getLogger(ProviderStartup.class);

    private final long maintenanceIntervalMillis;
    private final long graceCheckIntervalMillis;
    private final long pushIntervalMillis;

    private ProviderStartup(long maintenanceIntervalMillis, long graceCheckIntervalMillis, long pushIntervalMillis) {
        this.maintenanceIntervalMillis = maintenanceIntervalMillis;
        this.graceCheckIntervalMillis = graceCheckIntervalMillis;
        this.pushIntervalMillis = pushIntervalMillis;
    }

    /**
     * Reads the job intervals and the push timeouts (all in seconds) from the REST extension's options and configures
     * the push sender with the latter.
     */
    public static ProviderStartup configure(Config.Scope config) {
        PushSender.instance().configure(config.getLong("push-timeout", 5L), config.getLong("push-max-age", 86_400L));
        return new ProviderStartup(
                config.getLong("maintenance-interval", 86_400L) * 1000,
                config.getLong("grace-check-interval", 5L) * 1000,
                config.getLong("push-interval", 2L) * 1000);
    }

    /**
     * Hooks the provider into a starting Keycloak; call once, from {@code postInit}.
     *
     * @param listeners registered before this class's own listener, in order
     */
    public void start(KeycloakSessionFactory factory, ProviderEventListener... listeners) {
        MalformedFormFilter.useSessionFactory(factory);
        for (ProviderEventListener listener : listeners) {
            factory.register(listener);
        }
        factory.register(this);
    }

    @Override
    public void onEvent(ProviderEvent event) {
        if (event instanceof PostMigrationEvent migrated) {
            KeycloakSessionFactory factory = migrated.getFactory();
            FlowInstaller.installInAllRealms(factory);
            migrateApplications(factory);
            scheduleJobs(factory);
        } else if (event instanceof RealmModel.RealmPostCreateEvent created) {
            FlowInstaller.install(created.getCreatedRealm());
        }
    }

    /** Stops the push sender's threads; Keycloak is shutting down. */
    public void close() {
        PushSender.instance().shutdown();
    }

    private static void migrateApplications(KeycloakSessionFactory factory) {
        KeycloakModelUtils.runJobInTransaction(
                factory,
                session -> session.realms().getRealmsStream().forEach(realm -> {
                    long migrated = new ServiceTokenManager(session, realm).migrateApplications();
                    if (migrated > 0) {
                        LOG.infof(
                                "Realm %s: stored the applications of %d service token(s) by client id",
                                realm.getName(), migrated);
                    }
                }));
    }

    private void scheduleJobs(KeycloakSessionFactory factory) {
        try (KeycloakSession session = factory.create()) {
            TimerProvider timer = session.getProvider(TimerProvider.class);
            timer.schedule(
                    new ClusterAwareScheduledTaskRunner(factory, new DailyMaintenanceTask(), maintenanceIntervalMillis),
                    maintenanceIntervalMillis,
                    "service-token-daily-maintenance");
            timer.schedule(
                    new ClusterAwareScheduledTaskRunner(factory, new GraceEndTask(), graceCheckIntervalMillis),
                    graceCheckIntervalMillis,
                    "service-token-grace-end");
            timer.schedule(
                    new ClusterAwareScheduledTaskRunner(factory, new PushJob(), pushIntervalMillis),
                    pushIntervalMillis,
                    PushJob.NAME);
            // Not cluster-aware on purpose: each node flushes the uses it saw itself.
            timer.schedule(
                    new ScheduledTaskRunner(factory, LastUsedTracker.instance()),
                    LastUsedTracker.instance().flushIntervalMillis(),
                    "service-token-last-used-flush");
        }
        LOG.infof(
                "Service-token jobs scheduled: maintenance every %d s, grace-end check every %d s, owed pushes every %d s",
                maintenanceIntervalMillis / 1000, graceCheckIntervalMillis / 1000, pushIntervalMillis / 1000);
    }
}
