package org.servicetokens.sidecar.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.servicetokens.keycloak.it.HeadlessChromium;

/**
 * A person at a browser: headless Debian Chromium with the explicit driver path (Selenium Manager
 * never goes to the network), a fresh profile each time, condition waits rather than sleeps, quit() on close.
 * The driver comes from the provider's test-jar ({@link HeadlessChromium}), as for the console tests.
 */
final class LoginBrowser implements AutoCloseable {

    static final Path SCREENSHOTS = Path.of("target", "screenshots").toAbsolutePath();

    final ChromeDriver driver;
    private final Path profile;

    LoginBrowser() throws IOException {
        profile = Files.createTempDirectory("sidecar-login-chromium-");
        driver = HeadlessChromium.start(HeadlessChromium.options(profile, "1280,900"));
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    }

    /** On Keycloak's own login page: types the credentials and submits. */
    void submitKeycloakLogin(String username, String password) {
        waitFor(By.id("username")).sendKeys(username);
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.id("kc-login")).click();
    }

    boolean showsKeycloakLogin() {
        return !driver.findElements(By.id("kc-login")).isEmpty();
    }

    WebElement waitFor(By locator) {
        return new WebDriverWait(driver, Duration.ofSeconds(30))
                .until(ExpectedConditions.visibilityOfElementLocated(locator));
    }

    <T> T waitUntil(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, Duration.ofSeconds(30)).until(condition::apply);
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    Cookie cookie(String name) {
        return driver.manage().getCookieNamed(name);
    }

    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(
                    SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } catch (IOException | RuntimeException e) {
            System.out.println("no screenshot " + name + ": " + e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
    }
}
