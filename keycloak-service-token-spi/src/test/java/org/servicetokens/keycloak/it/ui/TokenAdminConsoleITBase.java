package org.servicetokens.keycloak.it.ui;

import java.io.IOException;
import org.servicetokens.keycloak.it.DemoRealmITBase;

/** A console test on the demo realm, worked by its token-admin (manage-clients) in a real Chromium. */
abstract class TokenAdminConsoleITBase extends DemoRealmITBase {

    /**
     * A browser logged in to the demo realm's admin console as token-admin, for the caller to close (it is closed
     * here when the login fails).
     */
    protected Browser tokenAdminBrowser() throws IOException {
        Browser browser = new Browser();
        try {
            browser.logIn(urls.getBase(), realm.getName(), "token-admin", "token-admin");
            return browser;
        } catch (RuntimeException | Error e) {
            try {
                browser.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }
}
