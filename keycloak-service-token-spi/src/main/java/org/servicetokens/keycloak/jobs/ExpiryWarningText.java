package org.servicetokens.keycloak.jobs;

import java.time.Instant;
import org.keycloak.common.util.HtmlUtils;
import org.keycloak.models.RealmModel;
import org.servicetokens.keycloak.model.ServiceToken;

/** The expiry-warning mail. Names come from admins, so the HTML part escapes them. */
final class ExpiryWarningText {

    private ExpiryWarningText() {}

    static String plain(RealmModel realm, ServiceToken token, Instant expiresAt, long daysLeft) {
        return "The service token \"" + token.name() + "\" (client ID " + token.clientId() + ") in realm "
                + realm.getName() + " expires on " + expiresAt + " (" + daysLeft + " days left).\n\n"
                + "Extend it, or rotate it and hand the new secret to its bot, in the admin console under Service tokens.\n";
    }

    static String html(RealmModel realm, ServiceToken token, Instant expiresAt, long daysLeft) {
        return "<p>The service token <strong>" + HtmlUtils.escapeAttribute(token.name()) + "</strong> (client ID <code>"
                + HtmlUtils.escapeAttribute(token.clientId()) + "</code>) in realm "
                + HtmlUtils.escapeAttribute(realm.getName())
                + " expires on " + expiresAt + " (" + daysLeft + " days left).</p>"
                + "<p>Extend it, or rotate it and hand the new secret to its bot, in the admin console under <em>Service tokens</em>.</p>";
    }
}
