package org.servicetokens.keycloak.it.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.servicetokens.keycloak.it.ui.ConsolePages.*;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.servicetokens.keycloak.it.Http;
import org.servicetokens.keycloak.it.ServiceTokenServerConfig;

/**
 * The guard rails in the console: each secret's last use on the detail page, in the rotate dialog and in the
 * end-grace confirmation, and the allowed-networks field with the server's message for a malformed range.
 */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class SecretUseConsoleIT extends TokenAdminConsoleITBase {

    private static final By CURRENT_USE = By.cssSelector("[data-testid='detail-current-use']");
    private static final By PREVIOUS_USE = By.cssSelector("[data-testid='detail-previous-use']");
    private static final By ACTIONS = By.cssSelector("[data-testid='action-dropdown']");
    private static final By NETWORKS_INPUT = By.cssSelector("textarea#detail-networks-input");
    private static final By NETWORKS_ERROR = By.cssSelector("[data-testid='networks-error']");

    @Test
    void detailsRotateDialogAndEndGraceShowWhenEachSecretWasLastUsed() throws Exception {
        String name = "ui-secret-use-" + System.nanoTime();
        JsonNode created = api.create(name, "P90D", "demo-app");
        String id = created.get("id").asText();
        String clientId = created.get("clientId").asText();
        String oldSecret = created.get("clientSecret").asText();
        String newSecret = api.post("/" + id + "/rotate", "{\"gracePeriod\":\"PT1H\"}")
                .json()
                .get("clientSecret")
                .asText();
        assertEquals(
                200,
                Http.clientCredentials(realm.getBaseUrl(), clientId, oldSecret).status());
        assertEquals(
                200,
                Http.clientCredentials(realm.getBaseUrl(), clientId, oldSecret).status());

        try (Browser browser = tokenAdminBrowser()) {
            openDetails(browser, name, clientId);
            String previous = browser.waitFor(PREVIOUS_USE).getText();
            assertTrue(
                    previous.contains("from 127.0.0.1")
                            && previous.contains("about 2 requests")
                            && previous.startsWith("last used"),
                    "the old secret's use: " + previous);
            assertEquals(
                    "not used since it was issued", browser.waitFor(CURRENT_USE).getText(), "the new secret is unused");

            assertEquals(
                    200,
                    Http.clientCredentials(realm.getBaseUrl(), clientId, newSecret)
                            .status());
            browser.driver.navigate().refresh();
            String current = browser.waitFor(CURRENT_USE).getText();
            assertTrue(
                    current.contains("from 127.0.0.1") && current.contains("about 1 requests"),
                    "the new secret's use: " + current);
            assertTrue(
                    browser.waitFor(PREVIOUS_USE).getText().contains("about 2 requests"),
                    "the old secret's use did not move");
            browser.screenshot("token-details-secret-use");

            // The rotate dialog says whether the previous secret, which a new rotation would retire, is still in use.
            browser.waitForClickable(ACTIONS).click();
            browser.waitForClickable(menuItem("Rotate secret")).click();
            String inRotate = browser.waitFor(By.cssSelector("[data-testid='rotate-previous-use']"))
                    .getText();
            assertTrue(inRotate.contains("Previous secret: last used") && inRotate.contains("127.0.0.1"), inRotate);
            assertTrue(browser.waitFor(By.cssSelector("[data-testid='rotate-current-use']"))
                    .getText()
                    .contains("about 1 requests"));
            browser.screenshot("rotate-dialog-secret-use");
            browser.waitForClickable(dialogButton("Cancel")).click();
            browser.waitUntilGone(By.cssSelector("[data-testid='rotate-service-token-dialog']"));

            // Ending the grace says when the old secret was last seen, before it is ended.
            browser.waitForClickable(ACTIONS).click();
            browser.waitForClickable(menuItem("End grace period now")).click();
            WebElement confirm = browser.waitFor(By.xpath("//*[@role='dialog']"));
            assertTrue(
                    confirm.getText().contains("The previous secret was last used")
                            && confirm.getText().contains("127.0.0.1"),
                    confirm.getText());
            browser.waitForClickable(dialogButton("End grace period now")).click();
            browser.waitUntilGone(PREVIOUS_USE);
            assertTrue(api.get("/" + id).json().get("previousSecretExpiresAt").isNull(), "the grace ended");
            assertEquals(
                    401,
                    Http.clientCredentials(realm.getBaseUrl(), clientId, oldSecret)
                            .status(),
                    "the old secret stopped");
            assertTrue(browser.consoleErrors().isEmpty(), "browser console errors: " + browser.consoleErrors());
        }
    }

    @Test
    void theNetworksFieldRejectsAMalformedRangeWithAClearMessage() throws Exception {
        String name = "ui-networks-" + System.nanoTime();
        JsonNode created = api.create(name, "P90D", "demo-app");
        String id = created.get("id").asText();
        try (Browser browser = tokenAdminBrowser()) {
            openDetails(browser, name, created.get("clientId").asText());
            WebElement networks = browser.waitFor(NETWORKS_INPUT);
            networks.sendKeys("10.0.0.0/8\n10.0.0.300/8");
            browser.waitForClickable(By.cssSelector("[data-testid='detail-save']"))
                    .click();
            String message = browser.waitFor(NETWORKS_ERROR).getText();
            assertEquals(
                    "'networks[1]': '10.0.0.300/8' is not an IPv4 or IPv6 CIDR range (such as 10.0.0.0/8 or 2001:db8::/32)",
                    message);
            browser.screenshot("networks-malformed-range");
            assertEquals(0, api.get("/" + id).json().get("networks").size(), "nothing was saved");

            // React does not see WebElement.clear(): select all and delete, as a person would.
            networks.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
            networks.sendKeys("10.0.0.0/8\n2001:DB8:0::/32");
            browser.waitForClickable(By.cssSelector("[data-testid='detail-save']"))
                    .click();
            browser.waitUntilGone(NETWORKS_ERROR);
            long deadline = System.currentTimeMillis() + 10_000;
            while (api.get("/" + id).json().get("networks").size() == 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
            assertEquals(
                    "[\"10.0.0.0/8\",\"2001:db8::/32\"]",
                    api.get("/" + id).json().get("networks").toString());
            browser.waitForText(By.cssSelector("[data-testid='detail-networks']"), "10.0.0.0/8, 2001:db8::/32");
            // The browser logs the refused PUT's 400 as an error; that one is expected, any other is not.
            java.util.List<String> errors = browser.consoleErrors();
            assertTrue(
                    errors.stream().allMatch(error -> error.contains("service-tokens/" + id) && error.contains("400")),
                    "browser console errors: " + errors);
        }
    }

    private static void openDetails(Browser browser, String name, String clientId) {
        openServiceTokens(browser);
        search(browser, name);
        browser.waitFor(row(clientId)).findElement(By.linkText(name)).click();
        browser.waitFor(By.cssSelector("[data-testid='detail-client-id']"));
    }
}
