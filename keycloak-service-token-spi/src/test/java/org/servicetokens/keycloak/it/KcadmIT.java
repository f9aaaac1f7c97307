package org.servicetokens.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.servicetokens.keycloak.model.TokenSecrets;

/**
 * docs/kcadm-service-tokens.sh, the README's admin-CLI examples, run as they are against the real Keycloak with the
 * distribution's own bin/kcadm.sh: every token operation must succeed and do what it says. Its output holds a secret,
 * so it stays in memory and failure messages mask it.
 */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class KcadmIT extends DemoRealmITBase {

    private static final Pattern SECRET = Pattern.compile("kcst_[0-9A-Za-z]+");

    @Test
    void everyTokenOperationWorksThroughKcadm() throws Exception {
        Path script = Path.of("..", "docs", "kcadm-service-tokens.sh")
                .toAbsolutePath()
                .normalize();
        Path config = Files.createTempFile("kcadm", ".config");
        try {
            ProcessBuilder builder = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
            builder.environment().put("KCADM", kcadm().toString());
            builder.environment().put("SERVER", urls.getBase());
            builder.environment().put("REALM", realm.getName());
            builder.environment().put("KCADM_CONFIG", config.toString());
            Process process = builder.start();
            process.getOutputStream().close();
            byte[] bytes = process.getInputStream().readAllBytes();
            assertTrue(process.waitFor(5, TimeUnit.MINUTES), "kcadm examples finished");
            String output = new String(bytes, StandardCharsets.UTF_8);
            String shown = SECRET.matcher(output).replaceAll("kcst_<masked>");
            assertEquals(0, process.exitValue(), "every example succeeded:\n" + shown);

            Matcher id = Pattern.compile("(?m)^id ([0-9a-f-]{36})$").matcher(output);
            assertTrue(id.find(), "create printed the id:\n" + shown);
            Matcher secret = SECRET.matcher(output);
            assertTrue(
                    secret.find() && TokenSecrets.isWellFormed(secret.group()), "the first rotation showed a secret");
            assertTrue(
                    secret.find() && TokenSecrets.isWellFormed(secret.group()),
                    "the rotation with grace showed another");
            assertTrue(
                    output.contains("\"networks\" : [ \"127.0.0.0/8\", \"::1/128\", \"2001:db8::/32\" ]"),
                    "update set the networks:\n" + shown);
            assertTrue(
                    output.contains("\"inactivityAction\" : \"disable\""),
                    "update set the token's own rule:\n" + shown);
            assertTrue(output.contains("\"owners\" : [ \"team-ci@example.com\", \"oncall@example.com\" ]"), shown);
            assertTrue(output.contains("\"expiryWarningDays\" : [ 30, 7, 1 ]"), "settings:\n" + shown);
            assertTrue(output.contains("== done"), shown);
            assertEquals(404, api.get("/" + id.group(1)).status(), "the last example deleted the token");
            assertTrue(
                    realm.admin().getAdminEvents().stream()
                            .anyMatch(e -> ("service-tokens/" + id.group(1) + "/extend").equals(e.getResourcePath())),
                    "kcadm's calls are admin events like any other");
        } finally {
            Files.deleteIfExists(config);
        }
    }

    /** The distribution the test framework unpacked (under the system temp directory) carries bin/kcadm.sh. */
    private static Path kcadm() throws IOException {
        Path root = Path.of(System.getProperty("java.io.tmpdir"), "kc-test-framework");
        try (Stream<Path> found =
                Files.find(root, 4, (path, attributes) -> path.endsWith(Path.of("bin", "kcadm.sh")))) {
            Path kcadm = found.findFirst().orElseThrow(() -> new AssertionError("no bin/kcadm.sh under " + root));
            // The framework unpacks the zip without file modes; the shipped script is executable.
            assertTrue(kcadm.toFile().setExecutable(true), "chmod +x " + kcadm);
            return kcadm;
        }
    }
}
