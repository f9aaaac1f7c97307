package org.servicetokens.containers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The repository's deployment scripts, run from the tests: the images are built once per test JVM
 * ({@link #imagesBuilt()}), every script's output goes to a log under {@code target/} and its lines starting with
 * {@code ok:}, {@code FAIL:} or ending in {@code RESULT:…} are echoed to the test output.
 */
final class Shipped {

    /** The project version the images are tagged with (from the reactor). */
    static final String VERSION = "0.1.0";

    static final String KEYCLOAK_IMAGE = "service-tokens-keycloak:" + VERSION;
    static final String SIDECAR_IMAGE = "service-tokens-sidecar:" + VERSION;
    static final String SAMPLE_APP_IMAGE = "service-tokens-sample-app:" + VERSION;

    private static boolean imagesBuilt;

    private Shipped() {}

    /** The repository's root (system property {@code ship.root}, set by the pom). */
    static Path root() {
        return Path.of(System.getProperty("ship.root", "..")).toAbsolutePath().normalize();
    }

    /** podman, unless the build runs against Docker ({@code SHIP_ENGINE}, set by the pom's podman profile). */
    static boolean podman() {
        return "podman".equals(System.getenv("SHIP_ENGINE"));
    }

    /**
     * Builds the three images from the jars the reactor just packaged (layer caching makes an unchanged image a
     * matter of seconds), on local stand-ins of the base images under podman (unless {@code SHIP_LOCAL_BASES=0}).
     * Once per JVM.
     */
    static synchronized void imagesBuilt() throws Exception {
        if (imagesBuilt) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("deploy/images/build-images.sh"));
        if (podman() && !"0".equals(System.getenv("SHIP_LOCAL_BASES"))) {
            command.add("--local-bases");
        }
        run("build-images", 900, command.toArray(String[]::new));
        imagesBuilt = true;
    }

    /**
     * Runs a script from the repository root; fails the test with its log's tail when it exits non-zero or outlives
     * {@code timeoutSeconds}. Returns its whole output.
     */
    static String run(String name, long timeoutSeconds, String... command) throws Exception {
        Path log = root().resolve("container-tests/target/" + name + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(root().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("SHIP_IMAGES_BUILT", imagesBuilt ? "1" : "0");
        builder.environment().putIfAbsent("ENGINE", podman() ? "podman" : "docker");
        long start = System.nanoTime();
        Process process = builder.start();
        boolean done = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        String output = Files.readString(log);
        for (String line : output.split("\n")) {
            if (line.startsWith("ok:")
                    || line.startsWith("FAIL:")
                    || line.contains("RESULT:")
                    || line.contains(" MB")
                    || line.contains("built in")) {
                System.out.println("[" + name + "] " + line.replaceAll("\u001b\\[[0-9;]*m", ""));
            }
        }
        System.out.printf("[%s] %.1f s%n", name, (System.nanoTime() - start) / 1e9);
        if (!done || process.exitValue() != 0) {
            String tail = output.length() > 4000 ? output.substring(output.length() - 4000) : output;
            throw new AssertionError(
                    name + (done ? " exited with " + process.exitValue() : " timed out after " + timeoutSeconds + " s")
                            + "; log " + log + ":\n" + tail);
        }
        return output;
    }
}
