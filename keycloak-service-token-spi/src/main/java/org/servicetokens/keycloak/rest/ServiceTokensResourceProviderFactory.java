package org.servicetokens.keycloak.rest;

import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.services.resources.admin.ext.AdminRealmResourceProvider;
import org.keycloak.services.resources.admin.ext.AdminRealmResourceProviderFactory;
import org.keycloak.services.scheduled.ClusterAwareScheduledTaskRunner;
import org.keycloak.services.scheduled.ScheduledTaskRunner;
import org.keycloak.timer.TimerProvider;
import org.servicetokens.keycloak.jobs.DailyMaintenanceTask;
import org.servicetokens.keycloak.jobs.GraceEndTask;
import org.servicetokens.keycloak.jobs.LastUsedTracker;
import org.servicetokens.keycloak.revocation.PushJob;
import org.servicetokens.keycloak.revocation.PushSender;

/**
 * Mounts the API at {@code /admin/realms/{realm}/service-tokens} and schedules the background jobs once the
 * database is ready. Intervals are SPI options (seconds), e.g.
 * {@code --spi-admin-realm-restapi-extension--service-tokens--maintenance-interval=86400}: {@code maintenance-interval}
 * (86400), {@code grace-check-interval} (5), {@code push-interval} (2: owed pushes), {@code push-timeout} (5: one push
 * attempt, connect to end of response), {@code push-max-age} (86400: when an undeliverable push is given up).
 */
public class ServiceTokensResourceProviderFactory implements AdminRealmResourceProviderFactory {

    public static final String ID = "service-tokens";
    private static final Logger LOG = Logger.getLogger(ServiceTokensResourceProviderFactory.class);
    private static final ServiceTokensResourceProvider PROVIDER = new ServiceTokensResourceProvider();

    private long maintenanceIntervalMillis;
    private long graceCheckIntervalMillis;
    private long pushIntervalMillis;

    @Override
    public AdminRealmResourceProvider create(KeycloakSession session) {
        return PROVIDER;
    }

    @Override
    public void init(Config.Scope config) {
        maintenanceIntervalMillis = config.getLong("maintenance-interval", 86_400L) * 1000;
        graceCheckIntervalMillis = config.getLong("grace-check-interval", 5L) * 1000;
        pushIntervalMillis = config.getLong("push-interval", 2L) * 1000;
        PushSender.instance().configure(config.getLong("push-timeout", 5L), config.getLong("push-max-age", 86_400L));
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        StockClientEvents.register(factory);
        factory.register(event -> {
            if (event instanceof PostMigrationEvent) {
                StockClientEvents.migrateApplications(factory);
                scheduleJobs(factory);
            }
        });
    }

    private void scheduleJobs(KeycloakSessionFactory factory) {
        try (KeycloakSession session = factory.create()) {
            TimerProvider timer = session.getProvider(TimerProvider.class);
            timer.schedule(new ClusterAwareScheduledTaskRunner(factory, new DailyMaintenanceTask(), maintenanceIntervalMillis),
                    maintenanceIntervalMillis, "service-token-daily-maintenance");
            timer.schedule(new ClusterAwareScheduledTaskRunner(factory, new GraceEndTask(), graceCheckIntervalMillis),
                    graceCheckIntervalMillis, "service-token-grace-end");
            timer.schedule(new ClusterAwareScheduledTaskRunner(factory, new PushJob(), pushIntervalMillis),
                    pushIntervalMillis, PushJob.NAME);
            // Not cluster-aware on purpose: each node flushes the uses it saw itself.
            timer.schedule(new ScheduledTaskRunner(factory, LastUsedTracker.instance()),
                    LastUsedTracker.instance().flushIntervalMillis(), "service-token-last-used-flush");
        }
        LOG.infof("Service-token jobs scheduled: maintenance every %d s, grace-end check every %d s, owed pushes every %d s",
                maintenanceIntervalMillis / 1000, graceCheckIntervalMillis / 1000, pushIntervalMillis / 1000);
    }

    @Override
    public void close() {
        PushSender.instance().shutdown();
    }

    @Override
    public String getId() {
        return ID;
    }
}
