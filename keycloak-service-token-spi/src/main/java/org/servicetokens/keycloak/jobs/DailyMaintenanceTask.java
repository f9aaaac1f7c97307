package org.servicetokens.keycloak.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;
import org.keycloak.email.EmailException;
import org.keycloak.email.EmailSenderProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.timer.ScheduledTask;
import org.servicetokens.keycloak.model.EffectDelay;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.model.ServiceTokenSettings;
import org.servicetokens.keycloak.service.ServiceTokenManager;

/**
 * The daily round: expiry warnings by email at each of the realm's warning thresholds (each threshold mailed once
 * per expiry date), and the realm's inactivity rule for tokens unused for too long. Every node runs it on its own
 * timer (Keycloak's cluster-aware runner only keeps two nodes from running it at the same moment), so each effect is
 * made exactly once by construction, not by timing: a warning is claimed in a committed write before it is mailed
 * ({@link #warnOfExpiry}), and the inactivity action is decided and made in one transaction under the token's row
 * lock on the token as stored, so a second node finds it done (disabled, or gone).
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
                applyInactivityRule(
                        session,
                        realm,
                        token.inactivityRule().map(settings::withInactivity).orElse(settings),
                        token,
                        now);
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
                .filter(threshold -> token.expiryWarnedDays()
                        .map(warned -> warned > threshold)
                        .orElse(true));
    }

    /**
     * Each warning is claimed before it is mailed: under the token's row lock, on the token as stored (past every
     * node's cache), the threshold is recorded as warned and committed; only the job that made that change mails.
     * Every node runs this job on its own timer, so a claim is what keeps two nodes from mailing the same warning;
     * a mail that reached no recipient gives its claim back for the next round. A node that dies between its claim
     * and its mail leaves that one warning unsent (at most once, never twice).
     */
    private static void warnOfExpiry(
            KeycloakSession session, RealmModel realm, ServiceTokenSettings settings, ServiceToken token, Instant now) {
        Optional<Integer> threshold = dueWarning(settings, token, now);
        if (threshold.isEmpty()) {
            return;
        }
        Instant expiresAt = token.expiresAt().orElseThrow();
        AtomicReference<Optional<Integer>> claimedOver = new AtomicReference<>();
        LockedTokenChange.run(
                session.getKeycloakSessionFactory(),
                realm.getId(),
                token.id(),
                "expiry-warning claim",
                (s, r, manager, locked) -> {
                    // Still due as stored: not claimed by another node, not extended by an admin meanwhile.
                    if (locked.expiresAt().equals(Optional.of(expiresAt))
                            && dueWarning(settings, locked, now).equals(threshold)) {
                        claimedOver.set(locked.expiryWarnedDays());
                        locked.setExpiryWarnedDays(threshold.get());
                    }
                });
        if (claimedOver.get() == null) {
            return; // claimed elsewhere, no longer due, or busy: the next round decides again
        }
        long daysLeft = Duration.between(now, expiresAt).toDays();
        Set<String> recipients = new LinkedHashSet<>(settings.notifyEmails());
        if (token.createdByEmail() != null) {
            recipients.add(token.createdByEmail());
        }
        recipients.addAll(token.owners());
        if (recipients.isEmpty()
                || realm.getSmtpConfig() == null
                || realm.getSmtpConfig().isEmpty()) {
            LOG.debugf(
                    "Service token %s expires soon, but realm %s has no recipients or SMTP",
                    token.clientId(), realm.getName());
            return;
        }
        EffectDelay.pause();
        String subject = "Service token \"" + token.name() + "\" expires on " + expiresAt;
        String text = ExpiryWarningText.plain(realm, token, expiresAt, daysLeft);
        String html = ExpiryWarningText.html(realm, token, expiresAt, daysLeft);
        EmailSenderProvider sender = session.getProvider(EmailSenderProvider.class);
        boolean sent = false;
        for (String recipient : recipients) {
            try {
                sender.send(realm.getSmtpConfig(), recipient, subject, text, html);
                sent = true;
            } catch (EmailException e) {
                LOG.warnf(
                        "Could not mail the expiry warning for service token %s to %s: %s",
                        token.clientId(), recipient, e.getMessage());
            }
        }
        if (!sent) {
            LockedTokenChange.run(
                    session.getKeycloakSessionFactory(),
                    realm.getId(),
                    token.id(),
                    "expiry-warning release",
                    (s, r, manager, locked) -> {
                        if (locked.expiresAt().equals(Optional.of(expiresAt))
                                && locked.expiryWarnedDays().equals(threshold)) {
                            locked.restoreExpiryWarnedDays(claimedOver.get());
                        }
                    });
        }
    }

    private static void applyInactivityRule(
            KeycloakSession session, RealmModel realm, ServiceTokenSettings settings, ServiceToken token, Instant now) {
        if (settings.inactivityDays() <= 0
                || settings.inactivityAction() == ServiceTokenSettings.InactivityAction.none) {
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
        boolean[] acted = new boolean[1];
        java.util.Set<String> notify = InactivityNotice.recipients(settings, token);
        String clientId = token.clientId();
        String name = token.name();
        LockedTokenChange.Outcome outcome = LockedTokenChange.run(
                session.getKeycloakSessionFactory(),
                realm.getId(),
                token.id(),
                "inactivity rule",
                (s, r, manager, locked) -> {
                    if (!inactive(settings, r, locked, now)) {
                        return; // used since the cached read
                    }
                    if (disable && locked.enabled()) {
                        LOG.infof(
                                "Disabling service token %s in realm %s: unused for %d days",
                                locked.clientId(), r.getName(), settings.inactivityDays());
                        manager.update(locked, null, null, false, null, now);
                        acted[0] = true;
                    } else if (!disable) {
                        LOG.infof(
                                "Deleting service token %s in realm %s: unused for %d days",
                                locked.clientId(), r.getName(), settings.inactivityDays());
                        manager.delete(locked, now);
                        acted[0] = true;
                    }
                });
        if (acted[0] && outcome == LockedTokenChange.Outcome.DONE) { // committed: the change stands
            InactivityNotice.send(session, realm, notify, clientId, name, settings.inactivityRule());
        }
    }

    private static boolean inactive(ServiceTokenSettings settings, RealmModel realm, ServiceToken token, Instant now) {
        Instant lastActivity = LastUsedTracker.instance()
                .lastUsed(realm, token)
                .or(token::createdAt)
                .orElse(now);
        return Duration.between(lastActivity, now).toDays() >= settings.inactivityDays();
    }

    @Override
    public String getTaskName() {
        return "service-token-daily-maintenance";
    }
}
