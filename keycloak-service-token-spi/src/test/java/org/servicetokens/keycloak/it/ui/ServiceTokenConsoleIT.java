package org.servicetokens.keycloak.it.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.servicetokens.keycloak.it.ui.ConsolePages.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.servicetokens.keycloak.it.Http;
import org.servicetokens.keycloak.it.ServiceTokenServerConfig;

/**
 * The demo admin (token-admin: manage-clients) works the Service tokens page in a real Chromium against the real
 * Keycloak; the token endpoint, not the page, decides whether each secret works.
 */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class ServiceTokenConsoleIT extends TokenAdminConsoleITBase {

    private static final Pattern SECRET_FORMAT = Pattern.compile("kcst_[0-9A-Za-z]{49}");

    @Test
    void createdSecretIsShownOnceWorksAndLeavesNoTrace() throws Exception {
        String name = "ui-created-" + System.nanoTime();
        try (Browser browser = tokenAdminBrowser()) {
            openServiceTokens(browser);
            browser.waitForClickable(CREATE_BUTTON).click();
            browser.waitFor(By.cssSelector("[data-testid='service-token-name']"))
                    .sendKeys(name);
            browser.waitFor(By.cssSelector(
                            "[data-testid='create-service-token-dialog'] .pf-v5-c-text-input-group__text-input"))
                    .sendKeys("demo-app");
            browser.waitForClickable(By.cssSelector("[data-testid='application-option-demo-app']"))
                    .click();
            browser.driver
                    .findElement(By.cssSelector("[data-testid='service-token-name']"))
                    .click();
            browser.waitForClickable(By.cssSelector("[data-testid='create-service-token-confirm']"))
                    .click();

            browser.waitFor(SECRET_DIALOG);
            String secret = browser.waitFor(REVEALED_SECRET).getDomProperty("value");
            String clientId = browser.driver.findElement(REVEALED_CLIENT_ID).getDomProperty("value");
            assertTrue(SECRET_FORMAT.matcher(secret).matches(), "the dialog shows a secret of the published format");
            String dialog = browser.driver.findElement(SECRET_DIALOG).getText();
            assertTrue(
                    dialog.contains("KC-Access-Client-Id") && dialog.contains("KC-Access-Client-Secret"),
                    "header names shown");
            assertTrue(dialog.contains("curl -H 'KC-Access-Client-Id: " + clientId + "'"), "a ready curl example");
            assertTrue(dialog.contains("cannot be shown again"), "the show-once warning");
            assertTrue(browser.pageHolds(secret), "sanity: the DOM check sees the secret while it is shown");

            // The token endpoint accepts the secret the page showed.
            Http.Reply minted = Http.clientCredentials(realm.getBaseUrl(), clientId, secret);
            assertEquals(200, minted.status(), "token endpoint with the UI's secret: " + minted.printable());
            JsonNode claims = Http.jwtPayload(minted.json().get("access_token").asText());
            assertEquals(clientId, claims.get("azp").asText());
            assertTrue(
                    claims.get("aud").toString().contains("demo-app"),
                    "the application picked in the dialog is the audience");

            browser.waitForClickable(SECRET_DIALOG_CLOSE).click();
            browser.waitUntilGone(SECRET_DIALOG);
            browser.waitFor(row(clientId));
            assertFalse(browser.pageHolds(secret), "after closing, the secret is nowhere in the page");
            browser.driver.navigate().refresh();
            browser.waitFor(row(clientId));
            assertFalse(browser.pageHolds(secret), "after a reload, the secret is nowhere in the page");
            assertTrue(browser.consoleErrors().isEmpty(), "browser console errors: " + browser.consoleErrors());
        }
    }

    @Test
    void rotateWithGraceKeepsBothSecretsThenRevokeStopsBoth() throws Exception {
        String name = "ui-rotated-" + System.nanoTime();
        JsonNode created = api.create(name, "P90D", "demo-app");
        String clientId = created.get("clientId").asText();
        String oldSecret = created.get("clientSecret").asText();
        try (Browser browser = tokenAdminBrowser()) {
            openServiceTokens(browser);
            search(browser, name);
            browser.waitFor(row(clientId));
            assertEquals(
                    1,
                    all(browser, By.cssSelector("[data-testid='service-token-row']"))
                            .size(),
                    "search narrows the list");

            rowAction(browser, clientId, "Rotate secret");
            browser.waitForClickable(By.cssSelector("[data-testid='grace-PT1H']"))
                    .click();
            browser.screenshot("rotate-dialog");
            browser.waitForClickable(By.cssSelector("[data-testid='rotate-confirm']"))
                    .click();
            String newSecret = browser.waitFor(REVEALED_SECRET).getDomProperty("value");
            assertNotEquals(oldSecret, newSecret);
            assertTrue(browser.driver
                    .findElement(SECRET_DIALOG)
                    .getText()
                    .contains("previous secret keeps working until"));
            browser.waitForClickable(SECRET_DIALOG_CLOSE).click();
            browser.waitUntilGone(SECRET_DIALOG);
            assertFalse(browser.pageHolds(newSecret), "the rotated secret is gone with its dialog");

            assertEquals(
                    200,
                    Http.clientCredentials(realm.getBaseUrl(), clientId, newSecret)
                            .status(),
                    "new secret works");
            assertEquals(
                    200,
                    Http.clientCredentials(realm.getBaseUrl(), clientId, oldSecret)
                            .status(),
                    "old secret works in its grace");

            rowAction(browser, clientId, "Revoke");
            browser.waitForClickable(dialogButton("Revoke")).click();
            browser.waitUntilGone(row(clientId));
            assertEquals(
                    401,
                    Http.clientCredentials(realm.getBaseUrl(), clientId, newSecret)
                            .status(),
                    "revoked: new secret fails");
            assertEquals(
                    401,
                    Http.clientCredentials(realm.getBaseUrl(), clientId, oldSecret)
                            .status(),
                    "revoked: old secret fails");
            assertEquals(404, api.get("/" + created.get("id").asText()).status(), "the token is gone");
            assertTrue(browser.consoleErrors().isEmpty(), "browser console errors: " + browser.consoleErrors());
        }
    }

    /**
     * A token broken behind the service-token API (its service-account user disabled through Keycloak's own users
     * API): the list and the details say Broken, the details name the problem, and Repair makes the same secret
     * work again.
     */
    @Test
    void aBrokenTokenShowsItsProblemAndRepairMakesItWorkAgain() throws Exception {
        String name = "ui-broken-" + System.nanoTime();
        JsonNode created = api.create(name, "P30D", "demo-app");
        String id = created.get("id").asText();
        String clientId = created.get("clientId").asText();
        String secret = created.get("clientSecret").asText();
        UserRepresentation serviceAccount = realm.admin().clients().get(id).getServiceAccountUser();
        serviceAccount.setEnabled(false);
        realm.admin().users().get(serviceAccount.getId()).update(serviceAccount);
        assertEquals(
                401,
                Http.clientCredentials(realm.getBaseUrl(), clientId, secret).status(),
                "the broken token is refused");

        try (Browser browser = tokenAdminBrowser()) {
            openServiceTokens(browser);
            search(browser, name);
            WebElement row = browser.waitFor(row(clientId));
            assertEquals("Broken", row.findElement(STATUS).getText(), "the list shows the token as broken");
            row.findElement(By.linkText(name)).click();

            String problems = browser.waitFor(PROBLEMS).getText();
            assertTrue(problems.contains("service_account_disabled"), "the details name the problem: " + problems);
            assertEquals("Broken", browser.waitFor(STATUS).getText());
            browser.screenshot("broken-token-details");
            browser.waitForClickable(REPAIR_BUTTON).click();

            browser.waitUntilGone(PROBLEMS);
            browser.waitForText(STATUS, "Active");
            assertEquals("active", api.get("/" + id).json().get("status").asText(), "the API agrees");
            assertTrue(
                    realm.admin()
                            .users()
                            .get(serviceAccount.getId())
                            .toRepresentation()
                            .isEnabled(),
                    "the user is enabled again");
            assertEquals(
                    200,
                    Http.clientCredentials(realm.getBaseUrl(), clientId, secret).status(),
                    "the same secret works again");
            assertTrue(browser.consoleErrors().isEmpty(), "browser console errors: " + browser.consoleErrors());
        }
    }

    @Test
    void screenshotsOfTheListAndTheCreateDialogWithTheSecretMasked() throws Exception {
        api.create("Nightly backup job", "P365D", "demo-app");
        api.create("CI deployer", "P30D", "demo-app");
        try (Browser browser = tokenAdminBrowser()) {
            openServiceTokens(browser);
            browser.waitFor(TABLE);
            browser.screenshot("service-tokens-list");

            browser.waitForClickable(CREATE_BUTTON).click();
            browser.waitFor(By.cssSelector("[data-testid='service-token-name']"))
                    .sendKeys("Release bot");
            browser.waitForClickable(By.cssSelector("[data-testid='create-service-token-confirm']"))
                    .click();
            String secret = browser.waitFor(REVEALED_SECRET).getDomProperty("value");
            browser.maskSecrets();
            assertFalse(browser.pageHolds(secret), "masked before the screenshot");
            browser.screenshot("create-dialog-secret-masked");
            browser.waitForClickable(SECRET_DIALOG_CLOSE).click();
            browser.waitUntilGone(SECRET_DIALOG);
            assertTrue(browser.consoleErrors().isEmpty(), "browser console errors: " + browser.consoleErrors());
        }
    }
}
