package org.servicetokens.keycloak.it.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.regex.Pattern;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.servicetokens.keycloak.it.HeadlessChromium;

/**
 * Headless Debian Chromium for the console tests: explicit driver path so Selenium Manager never
 * goes to the network, a fresh profile, browser console captured, generous condition waits, quit() on close.
 */
final class Browser implements AutoCloseable {

    static final Path SCREENSHOTS = Path.of("target", "screenshots").toAbsolutePath();
    private static final Pattern SECRET = Pattern.compile("kcst_[0-9A-Za-z]+");

    final ChromeDriver driver;
    private final Path profile;

    Browser() throws IOException {
        profile = Files.createTempDirectory("service-tokens-chromium-");
        ChromeOptions options = HeadlessChromium.options(profile, "1440,1000");
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        driver = HeadlessChromium.start(options);
    }

    /** Logs in to the admin console of {@code realm} (the login page is Keycloak's own) and waits for the nav. */
    void logIn(String serverUrl, String realm, String username, String password) {
        driver.get(serverUrl + "/admin/" + realm + "/console/");
        waitFor(By.id("username")).sendKeys(username);
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.id("kc-login")).click();
        waitFor(By.cssSelector("[data-testid='currentRealm']"));
    }

    WebElement waitFor(By locator) {
        return new WebDriverWait(driver, Duration.ofSeconds(30))
                .until(ExpectedConditions.visibilityOfElementLocated(locator));
    }

    void waitUntilGone(By locator) {
        new WebDriverWait(driver, Duration.ofSeconds(30))
                .until(ExpectedConditions.invisibilityOfElementLocated(locator));
    }

    /** Waits until the first element {@code locator} finds shows {@code text} (the page re-renders after a call). */
    void waitForText(By locator, String text) {
        new WebDriverWait(driver, Duration.ofSeconds(30))
                .until(ExpectedConditions.textToBePresentInElementLocated(locator, text));
    }

    WebElement waitForClickable(By locator) {
        return new WebDriverWait(driver, Duration.ofSeconds(30))
                .until(ExpectedConditions.elementToBeClickable(locator));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /**
     * Whether {@code text} is anywhere the page keeps it: the serialised DOM, visible text, any form field's value,
     * the URL, local or session storage.
     */
    boolean pageHolds(String text) {
        return (Boolean) js("""
                const needle = arguments[0];
                const fields = [...document.querySelectorAll('input, textarea')].map(f => f.value).join('\\n');
                const storage = JSON.stringify(Object.entries(localStorage)) + JSON.stringify(Object.entries(sessionStorage));
                return [document.documentElement.outerHTML, document.body.innerText, fields, location.href, storage]
                    .some(place => place.includes(needle));
                """, text);
    }

    /** Replaces every secret in the page (text and fields) before a screenshot, so the image never holds one. */
    void maskSecrets() {
        js("""
                const secret = /kcst_[0-9A-Za-z]+/g;
                const mask = 'kcst_' + '\\u2022'.repeat(24);
                document.querySelectorAll('input, textarea').forEach(f => { f.value = f.value.replace(secret, mask); });
                document.querySelectorAll('*').forEach(el => [...el.attributes].forEach(a => {
                    if (a.value.includes('kcst_')) el.setAttribute(a.name, a.value.replace(secret, mask));
                }));
                const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    node.nodeValue = node.nodeValue.replace(secret, mask);
                }
                """);
    }

    Path screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path file = SCREENSHOTS.resolve(name + ".png");
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        return file;
    }

    /** Browser console errors since the last call, secrets masked; headless Chromium's favicon 404 is not ours. */
    List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(message -> !message.contains("favicon.ico"))
                .map(message -> SECRET.matcher(message).replaceAll("kcst_<masked>"))
                .toList();
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
    }
}
