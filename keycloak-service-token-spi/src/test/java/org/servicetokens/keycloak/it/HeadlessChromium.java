package org.servicetokens.keycloak.it;

import java.io.File;
import java.nio.file.Path;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Debian Chromium as every browser test here starts it: the explicit driver path, so
 * Selenium Manager never goes to the network, the flags that keep Chromium off the closed network, a fresh
 * profile. Shared with the sidecar's browser tests through this module's test-jar.
 */
public final class HeadlessChromium {

    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private HeadlessChromium() {}

    /** The options to start with; callers add capabilities (e.g. console logging) before {@link #start}. */
    public static ChromeOptions options(Path profile, String windowSize) {
        if (!new File(CHROMEDRIVER).canExecute()) {
            throw new IllegalStateException("chromedriver missing: apt-get install -y chromium chromium-driver");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=" + windowSize,
                "--lang=en-US",
                "--user-data-dir=" + profile);
        return options;
    }

    public static ChromeDriver start(ChromeOptions options) {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }
}
