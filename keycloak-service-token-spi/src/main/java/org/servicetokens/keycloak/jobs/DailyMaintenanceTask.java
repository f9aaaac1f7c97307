package org.servicetokens.keycloak.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.jboss.logging.Logger;
import org.keycloak.email.EmailException;
import org.keycloak.email.EmailSenderProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.timer.ScheduledTask;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.model.ServiceTokenManager;
import org.servicetokens.keycloak.model.ServiceTokenSettings;

/**
 * The daily round, once per cluster: expiry warnings by email at each of the realm's warning thresholds (each
 * threshold mailed once per expiry date), and the realm's inactivity rule for tokens unused for too long.
 */
public final class DailyMaintenanceTask implements ScheduledTask {

    private static final Logger LOG = Logger.getLogger(DailyMaintenanceTask.class);

    @Override
    public void run(KeycloakSession session) {
        Instant now = Instant.now();
        session.realms().getRealmsStream().forEach(realm -> {
            session.getContext().setRealm(realm);
            ServiceTokenSettings settings = ServiceTokenSettings.read(realm);
            ServiceTokenManager manager = new ServiceTokenManager(session, realm);
            manager.list().toList().forEach(token -> {
                warnOfExpiry(session, realm, settings, token, now);
                applyInactivityRule(realm, settings, manager, token, now);
            });
        });
    }

    private static void warnOfExpiry(KeycloakSession session, RealmModel realm, ServiceTokenSettings settings,
                                     ServiceToken token, Instant now) {
        Optional<Instant> expiresAt = token.expiresAt();
        if (expiresAt.isEmpty() || !token.enabled() || token.isExpired(now)) {
            return;
        }
        long daysLeft = Duration.between(now, expiresAt.get()).toDays();
        Optional<Integer> threshold = settings.expiryWarningDays().stream()
                .filter(days -> daysLeft < days)
                .min(Integer::compare);
        if (threshold.isEmpty() || token.expiryWarnedDays().map(warned -> warned <= threshold.get()).orElse(false)) {
            return;
        }
        Set<String> recipients = new LinkedHashSet<>(settings.notifyEmails());
        if (token.createdByEmail() != null) {
            recipients.add(token.createdByEmail());
        }
        if (recipients.isEmpty() || realm.getSmtpConfig() == null || realm.getSmtpConfig().isEmpty()) {
            LOG.debugf("Service token %s expires soon, but realm %s has no recipients or SMTP", token.clientId(), realm.getName());
            token.setExpiryWarnedDays(threshold.get());
            return;
        }
        String subject = "Service token \"" + token.name() + "\" expires on " + expiresAt.get();
        String text = ExpiryWarningText.plain(realm, token, expiresAt.get(), daysLeft);
        String html = ExpiryWarningText.html(realm, token, expiresAt.get(), daysLeft);
        EmailSenderProvider sender = session.getProvider(EmailSenderProvider.class);
        boolean anySent = false;
        for (String recipient : recipients) {
            try {
                sender.send(realm.getSmtpConfig(), recipient, subject, text, html);
                anySent = true;
            } catch (EmailException e) {
                LOG.warnf("Could not mail the expiry warning for service token %s to %s: %s", token.clientId(), recipient, e.getMessage());
            }
        }
        if (anySent) {
            token.setExpiryWarnedDays(threshold.get());
        }
    }

    private static void applyInactivityRule(RealmModel realm, ServiceTokenSettings settings, ServiceTokenManager manager,
                                            ServiceToken token, Instant now) {
        if (settings.inactivityDays() <= 0 || settings.inactivityAction() == ServiceTokenSettings.InactivityAction.none) {
            return;
        }
        List<String> unreadable = ServiceTokenSettings.unreadable(realm);
        if (unreadable.contains("inactivityDays") || unreadable.contains("inactivityAction")) {
            return; // a rule someone broke by hand is not applied with guessed values
        }
        Instant lastActivity = LastUsedTracker.instance().lastUsed(realm, token)
                .or(token::createdAt).orElse(now);
        if (Duration.between(lastActivity, now).toDays() < settings.inactivityDays()) {
            return;
        }
        switch (settings.inactivityAction()) {
            case disable -> {
                if (token.enabled()) {
                    LOG.infof("Disabling service token %s in realm %s: unused for %d days", token.clientId(), realm.getName(), settings.inactivityDays());
                    manager.update(token, null, null, false, null, now);
                }
            }
            case delete -> {
                LOG.infof("Deleting service token %s in realm %s: unused for %d days", token.clientId(), realm.getName(), settings.inactivityDays());
                manager.delete(token, now);
            }
            default -> {
            }
        }
    }

    @Override
    public String getTaskName() {
        return "service-token-daily-maintenance";
    }
}
