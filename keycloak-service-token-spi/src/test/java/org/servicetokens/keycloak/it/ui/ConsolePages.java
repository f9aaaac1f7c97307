package org.servicetokens.keycloak.it.ui;

import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** Where things are on our console pages, in one place, so the tests read as the admin's steps. */
final class ConsolePages {

    static final By NAV_SERVICE_TOKENS = By.id("nav-item-service-tokens");
    static final By CREATE_BUTTON = By.cssSelector("[data-testid='create-service-token']");
    static final By TABLE = By.cssSelector("[data-testid='service-tokens-table']");
    static final By SECRET_DIALOG = By.cssSelector("[data-testid='service-token-secret-dialog']");
    static final By REVEALED_SECRET = By.cssSelector("[data-testid='revealed-secret'] input");
    static final By REVEALED_CLIENT_ID = By.cssSelector("[data-testid='revealed-client-id'] input");
    static final By SECRET_DIALOG_CLOSE = By.cssSelector("[data-testid='secret-dialog-close']");
    static final By STATUS = By.cssSelector("[data-testid='token-status']");
    static final By PROBLEMS = By.cssSelector("[data-testid='token-problems']");
    static final By REPAIR_BUTTON = By.cssSelector("[data-testid='token-repair-button']");
    static final By KEBABS = By.cssSelector("[data-testid='service-tokens-table'] button[aria-label='Kebab toggle']");

    private ConsolePages() {}

    static By row(String clientId) {
        return By.cssSelector("[data-testid='service-token-row'][data-client-id='" + clientId + "']");
    }

    static By menuItem(String text) {
        return By.xpath("//*[@role='menuitem'][normalize-space()='" + text + "']");
    }

    static By dialogButton(String text) {
        return By.xpath("//*[@role='dialog']//button[normalize-space()='" + text + "']");
    }

    static void openServiceTokens(Browser browser) {
        browser.waitForClickable(NAV_SERVICE_TOKENS).click();
        browser.waitFor(By.cssSelector("[data-testid='service-token-search']"));
    }

    /** Filters the list by a name through the search box, as an admin would find their token. */
    static void search(Browser browser, String text) {
        WebElement search = browser.waitFor(By.cssSelector("[data-testid='service-token-search'] input"));
        search.clear();
        search.sendKeys(text + "\n");
    }

    static void rowAction(Browser browser, String clientId, String action) {
        browser.waitFor(row(clientId))
                .findElement(By.cssSelector("button[aria-label='Kebab toggle']"))
                .click();
        browser.waitForClickable(menuItem(action)).click();
    }

    static String bodyText(Browser browser) {
        return browser.driver.findElement(By.tagName("body")).getText();
    }

    static List<WebElement> all(Browser browser, By locator) {
        return browser.driver.findElements(locator);
    }
}
