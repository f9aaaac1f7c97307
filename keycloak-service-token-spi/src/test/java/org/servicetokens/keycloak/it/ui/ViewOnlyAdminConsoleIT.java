package org.servicetokens.keycloak.it.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.servicetokens.keycloak.it.ui.ConsolePages.*;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.openqa.selenium.By;
import org.servicetokens.keycloak.it.DemoRealmITBase;
import org.servicetokens.keycloak.it.ServiceTokenServerConfig;

/** token-viewer (view-clients only) reads the list and a token, and is offered nothing that changes one. */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class ViewOnlyAdminConsoleIT extends DemoRealmITBase {

    @Test
    void viewerSeesTokensWithoutMutatingActions() throws Exception {
        String name = "viewer-visible-" + System.nanoTime();
        JsonNode created = api.create(name, "P30D", "demo-app");
        String clientId = created.get("clientId").asText();
        // A previous secret in its grace and networks: the viewer sees them, but neither ends the grace nor edits them.
        api.post("/" + created.get("id").asText() + "/rotate", "{\"gracePeriod\":\"PT1H\"}");
        api.put("/" + created.get("id").asText(), "{\"networks\":[\"10.0.0.0/8\"]}");

        try (Browser browser = new Browser()) {
            browser.logIn(urls.getBase(), realm.getName(), "token-viewer", "token-viewer");
            openServiceTokens(browser);
            search(browser, name);
            assertTrue(browser.waitFor(row(clientId)).getText().contains(name), "the viewer sees the token");
            assertTrue(all(browser, CREATE_BUTTON).isEmpty(), "no Create button");
            assertTrue(all(browser, KEBABS).isEmpty(), "no row actions (Rotate, Extend, Disable, Revoke)");
            assertActionsAbsent(bodyText(browser));

            browser.waitFor(row(clientId)).findElement(By.linkText(name)).click();
            assertEquals(
                    clientId,
                    browser.waitFor(By.cssSelector("[data-testid='detail-client-id']"))
                            .getText());
            assertActionsAbsent(bodyText(browser));
            assertTrue(
                    all(browser, By.cssSelector("[data-testid='detail-save']")).isEmpty(),
                    "no Save on the detail page");
            assertTrue(
                    all(browser, By.cssSelector("[data-testid='action-dropdown']"))
                            .isEmpty(),
                    "no action menu");
            assertTrue(
                    browser.waitFor(By.cssSelector("[data-testid='detail-previous-use']"))
                            .isDisplayed(),
                    "the viewer sees the old secret's use");
            assertEquals(
                    "10.0.0.0/8",
                    browser.waitFor(By.cssSelector("[data-testid='detail-networks']"))
                            .getText());
            assertTrue(
                    browser.driver
                                    .findElement(By.cssSelector("textarea#detail-networks-input"))
                                    .getDomAttribute("readonly")
                            != null,
                    "the networks are read-only for a viewer");

            browser.driver.navigate().back();
            browser.waitForClickable(
                            By.cssSelector("[data-testid='tab-settings'] button, button[data-testid='tab-settings']"))
                    .click();
            browser.waitFor(By.cssSelector("[data-testid='settings-defaultDuration']"));
            assertTrue(
                    all(browser, By.cssSelector("[data-testid='settings-save']"))
                            .isEmpty(),
                    "no Save for the realm policy");
            assertTrue(browser.consoleErrors().isEmpty(), "browser console errors: " + browser.consoleErrors());
        }
    }

    private static void assertActionsAbsent(String pageText) {
        for (String action :
                new String[] {"Create service token", "Rotate secret", "Revoke", "Extend", "End grace period"}) {
            assertFalse(pageText.contains(action), "a view-only admin is not offered '" + action + "'");
        }
    }
}
