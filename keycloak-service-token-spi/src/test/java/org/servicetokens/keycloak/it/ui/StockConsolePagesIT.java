package org.servicetokens.keycloak.it.ui;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.servicetokens.keycloak.it.DemoRealmITBase;
import org.servicetokens.keycloak.it.ServiceTokenServerConfig;

/**
 * The theme replaces the whole console, so the stock pages must still work under it: the master admin (as the demo
 * sets master's admin theme) opens Clients, Users and Realm settings of the demo realm, each with its data, and the
 * browser console stays free of errors.
 */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class StockConsolePagesIT extends DemoRealmITBase {

    @Test
    void stockPagesLoadWithoutConsoleErrors() throws Exception {
        RealmRepresentation master = admin.realm("master").toRepresentation();
        String previousTheme = master.getAdminTheme();
        master.setAdminTheme("service-tokens");
        admin.realm("master").update(master);
        try (Browser browser = new Browser()) {
            browser.logIn(urls.getBase(), "master", "admin", "admin");
            assertTrue(
                    browser.driver.getPageSource().contains("/admin/service-tokens/"),
                    "the console is served by our theme (its resource URL names it)");
            List<String> errors = new ArrayList<>();
            String realmPath = "#/" + realm.getName();

            openInApp(browser, realmPath + "/clients");
            waitForText(browser, "demo-app");
            errors.addAll(
                    browser.consoleErrors().stream().map(e -> "Clients: " + e).toList());

            openInApp(browser, realmPath + "/users");
            waitForText(browser, "token-admin");
            errors.addAll(
                    browser.consoleErrors().stream().map(e -> "Users: " + e).toList());

            openInApp(browser, realmPath + "/realm-settings");
            new WebDriverWait(browser.driver, Duration.ofSeconds(30)).until(driver -> (Boolean) browser.js(
                    "return [...document.querySelectorAll('input')].some(i => i.value === 'Service tokens demo')"));
            errors.addAll(browser.consoleErrors().stream()
                    .map(e -> "Realm settings: " + e)
                    .toList());

            browser.waitFor(By.id("nav-item-service-tokens"));
            assertTrue(errors.isEmpty(), "browser console errors on stock pages: " + errors);
        } finally {
            master.setAdminTheme(previousTheme == null ? "keycloak.v2" : previousTheme);
            admin.realm("master").update(master);
        }
    }

    /**
     * A full page load of the console at that page (the stock realm context follows pushState, not a bare hash change,
     * so each page is opened as a bookmark would open it; keycloak-js passes through the SSO session).
     */
    private void openInApp(Browser browser, String hash) {
        browser.driver.get("about:blank");
        browser.driver.get(urls.getBase() + "/admin/master/console/" + hash);
    }

    private static void waitForText(Browser browser, String text) {
        try {
            new WebDriverWait(browser.driver, Duration.ofSeconds(30))
                    .until(driver -> ConsolePages.bodyText(browser).contains(text));
        } catch (org.openqa.selenium.TimeoutException notShown) {
            try {
                browser.screenshot("stock-page-failure");
            } catch (java.io.IOException ignored) {
                // the assertion below says what matters
            }
            throw new AssertionError(
                    "'" + text + "' not shown at " + browser.driver.getCurrentUrl() + "; page text: "
                            + ConsolePages.bodyText(browser).replaceAll("kcst_[0-9A-Za-z]+", "kcst_<masked>"),
                    notShown);
        }
    }
}
