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
import org.servicetokens.keycloak.service.ServiceTokenManager;
import org.servicetokens.keycloak.model.ServiceTokenSettings;

/**
 * The daily round, once per cluster: expiry warnings by email at each of the realm's warning thresholds (each
 * threshold mailed once per expiry date), and the realm's inactivity rule for tokens unused for too long.
 */
public final class DailyMaintenanceTask implements ScheduledTask {

    private static final Logger LOG = Logger.getLogger(DailyMaintenanceTask.class);

    /**
     * Reads every token through the cache and writes only those that need it, each in its own locked transaction
     * ({@link LockedTokenChange}): a token an admin is changing or deleting right now is left for the next run.
     */
    @Override
    public void run(KeycloakSession session) {
        Instant now = Instant.now();
        session.realms().getRealmsStream().toList().forEach(realm -> {
            session.getContext().setRealm(realm);
            ServiceTokenSettings settings = ServiceTokenSettings.read(realm);
            new ServiceTokenManager(session, realm).list().toList().forEach(token -> {
                warnOfExpiry(session, realm, settings, token, now);
                applyInactivityRule(session, realm, settings, token, now);
            });
        });
    }

    /** The warning threshold (days) this token has reached and not yet been warned of, if any. */
    private static Optional<Integer> dueWarning(ServiceTokenSettings settings, ServiceToken token, Instant now) {
        Optional<Instant> expiresAt = token.expiresAt();
        if (expiresAt.isEmpty() || !token.enabled() || token.isExpired(now)) {
            return Optional.empty();
        }
        long daysLeft = Duration.between(now, expiresAt.get()).toDays();
        return settings.expiryWarningDays().stream()
                .filter(days -> daysLeft < days)
                .min(Integer::compare)
                .filter(threshold -> token.expiryWarnedDays().map(warned -> warned > threshold).orElse(true));
    }

    private static void warnOfExpiry(KeycloakSession session, RealmModel realm, ServiceTokenSettings settings,
                                     ServiceToken token, Instant now) {
        Optional<Integer> threshold = dueWarning(settings, token, now);
        if (threshold.isEmpty()) {
            return;
        }
        Instant expiresAt = token.expiresAt().orElseThrow();
        long daysLeft = Duration.between(now, expiresAt).toDays();
        Set<String> recipients = new LinkedHashSet<>(settings.notifyEmails());
        if (token.createdByEmail() != null) {
            recipients.add(token.createdByEmail());
        }
        boolean done;
        if (recipients.isEmpty() || realm.getSmtpConfig() == null || realm.getSmtpConfig().isEmpty()) {
            LOG.debugf("Service token %s expires soon, but realm %s has no recipients or SMTP", token.clientId(), realm.getName());
            done = true;
        } else {
            // Mailed before the token is locked: a slow mail server never holds up an admin's change to the token.
            String subject = "Service token \"" + token.name() + "\" expires on " + expiresAt;
            String text = ExpiryWarningText.plain(realm, token, expiresAt, daysLeft);
            String html = ExpiryWarningText.html(realm, token, expiresAt, daysLeft);
            EmailSenderProvider sender = session.getProvider(EmailSenderProvider.class);
            done = false;
            for (String recipient : recipients) {
                try {
                    sender.send(realm.getSmtpConfig(), recipient, subject, text, html);
                    done = true;
                } catch (EmailException e) {
                    LOG.warnf("Could not mail the expiry warning for service token %s to %s: %s", token.clientId(), recipient, e.getMessage());
                }
            }
        }
        if (done) {
            LockedTokenChange.run(session.getKeycloakSessionFactory(), realm.getId(), token.id(), "expiry-warning mark",
                    (s, r, manager, locked) -> {
                        // Only if the expiry is still the one warned of (an admin may have extended it meanwhile).
                        if (locked.expiresAt().equals(Optional.of(expiresAt))) {
                            locked.setExpiryWarnedDays(threshold.get());
                        }
                    });
        }
    }

    private static void applyInactivityRule(KeycloakSession session, RealmModel realm, ServiceTokenSettings settings,
                                            ServiceToken token, Instant now) {
        if (settings.inactivityDays() <= 0 || settings.inactivityAction() == ServiceTokenSettings.InactivityAction.none) {
            return;
        }
        List<String> unreadable = ServiceTokenSettings.unreadable(realm);
        if (unreadable.contains("inactivityDays") || unreadable.contains("inactivityAction")) {
            return; // a rule someone broke by hand is not applied with guessed values
        }
        boolean disable = settings.inactivityAction() == ServiceTokenSettings.InactivityAction.disable;
        if (!inactive(settings, realm, token, now) || (disable && !token.enabled())) {
            return;
        }
        LockedTokenChange.run(session.getKeycloakSessionFactory(), realm.getId(), token.id(), "inactivity rule",
                (s, r, manager, locked) -> {
                    if (!inactive(settings, r, locked, now)) {
                        return; // used since the cached read
                    }
                    if (disable && locked.enabled()) {
                        LOG.infof("Disabling service token %s in realm %s: unused for %d days", locked.clientId(), r.getName(), settings.inactivityDays());
                        manager.update(locked, null, null, false, null, now);
                    } else if (!disable) {
                        LOG.infof("Deleting service token %s in realm %s: unused for %d days", locked.clientId(), r.getName(), settings.inactivityDays());
                        manager.delete(locked, now);
                    }
                });
    }

    private static boolean inactive(ServiceTokenSettings settings, RealmModel realm, ServiceToken token, Instant now) {
        Instant lastActivity = LastUsedTracker.instance().lastUsed(realm, token).or(token::createdAt).orElse(now);
        return Duration.between(lastActivity, now).toDays() >= settings.inactivityDays();
    }

    @Override
    public String getTaskName() {
        return "service-token-daily-maintenance";
    }
}
