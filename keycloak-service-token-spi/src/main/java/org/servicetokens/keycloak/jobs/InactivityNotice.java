package org.servicetokens.keycloak.jobs;

import java.util.LinkedHashSet;
import java.util.Set;
import org.jboss.logging.Logger;
import org.keycloak.common.util.HtmlUtils;
import org.keycloak.email.EmailException;
import org.keycloak.email.EmailSenderProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.servicetokens.keycloak.model.InactivityRule;
import org.servicetokens.keycloak.model.ServiceToken;
import org.servicetokens.keycloak.model.ServiceTokenSettings;

/**
 * The mail sent when the inactivity rule has disabled or deleted a token: to the realm's {@code notifyEmails}, the
 * token's creator and its owners (the same people its expiry warnings reach). Sent after the change committed, so a
 * slow mail server never holds the token's lock; a failure is one log line, never a retry (the change stands).
 */
final class InactivityNotice {

    private static final Logger LOG = Logger.getLogger(InactivityNotice.class);

    private InactivityNotice() {}

    /** Everyone a token's mails go to: the realm's addresses, the creator's, the owners'; each once. */
    static Set<String> recipients(ServiceTokenSettings settings, ServiceToken token) {
        Set<String> recipients = new LinkedHashSet<>(settings.notifyEmails());
        if (token.createdByEmail() != null) {
            recipients.add(token.createdByEmail());
        }
        recipients.addAll(token.owners());
        return recipients;
    }

    /**
     * Mails {@code recipients} (taken from the token before the change: a deleted token can no longer be read) that
     * the token was disabled or deleted by {@code rule}.
     */
    static void send(
            KeycloakSession session,
            RealmModel realm,
            Set<String> recipients,
            String clientId,
            String name,
            InactivityRule rule) {
        if (recipients.isEmpty()
                || realm.getSmtpConfig() == null
                || realm.getSmtpConfig().isEmpty()) {
            return;
        }
        String done = rule.action() == ServiceTokenSettings.InactivityAction.delete ? "deleted" : "disabled";
        String subject = "Service token \"" + name + "\" was " + done + " after " + rule.days() + " days without use";
        String text = "The service token \"" + name + "\" (client ID " + clientId + ") in realm " + realm.getName()
                + " was " + done + " because it was not used for " + rule.days() + " days.\n";
        String html = "<p>The service token <strong>" + HtmlUtils.escapeAttribute(name) + "</strong> (client ID <code>"
                + HtmlUtils.escapeAttribute(clientId) + "</code>) in realm "
                + HtmlUtils.escapeAttribute(realm.getName()) + " was "
                + done + " because it was not used for " + rule.days() + " days.</p>";
        EmailSenderProvider sender = session.getProvider(EmailSenderProvider.class);
        for (String recipient : recipients) {
            try {
                sender.send(realm.getSmtpConfig(), recipient, subject, text, html);
            } catch (EmailException e) {
                LOG.warnf(
                        "Could not mail the inactivity notice for service token %s to %s: %s",
                        clientId, recipient, e.getMessage());
            }
        }
    }
}
