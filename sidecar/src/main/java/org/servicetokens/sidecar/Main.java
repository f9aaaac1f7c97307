package org.servicetokens.sidecar;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.servicetokens.sidecar.config.ConfigException;
import org.servicetokens.sidecar.config.ConfigLoader;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.pipeline.AccessLog;
import org.servicetokens.sidecar.pipeline.AccessLogWriter;

/** {@code java -jar sidecar.jar [--config FILE]}; exit 2 on a bad command line or configuration. */
public final class Main {

    private Main() {}

    public static void main(String[] args) throws Exception {
        Path configFile = null;
        boolean training = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                help(System.out);
                return;
            } else if (a.equals(CdsTraining.FLAG)) {
                training = true;
            } else if ((a.equals("--config") || a.equals("-c")) && i + 1 < args.length) {
                configFile = Path.of(args[++i]);
            } else if (a.startsWith("--config=")) {
                configFile = Path.of(a.substring("--config=".length()));
            } else {
                System.err.println("sidecar: unknown argument '" + a + "' (see --help)");
                System.exit(2);
            }
        }
        SidecarConfig config;
        try {
            config = ConfigLoader.load(configFile, System.getenv());
        } catch (ConfigException e) {
            System.err.println("sidecar: " + e.getMessage());
            System.exit(2);
            return;
        }
        AccessLogWriter accessLog;
        try {
            accessLog = setUpLogging(config.accessLog);
        } catch (IOException e) {
            System.err.println(
                    "sidecar: access-log.file: cannot open " + config.accessLog.file + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        if (training) {
            int status = CdsTraining.run(config);
            if (accessLog != null) {
                accessLog.close();
            }
            System.exit(status);
            return;
        }
        Sidecar sidecar;
        try {
            sidecar = Sidecar.start(config)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            System.err.println("sidecar: could not start: " + cause.getMessage());
            System.exit(1);
            return;
        }
        Logger.getLogger(Main.class.getName())
                .info("sidecar listening on " + config.listen.host + ":" + sidecar.port() + ", proxying to "
                        + config.upstream.url + "; management on port " + sidecar.managementPort());
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                sidecar.close()
                                        .toCompletionStage()
                                        .toCompletableFuture()
                                        .get(10, TimeUnit.SECONDS);
                            } catch (Exception ignored) {
                                // exiting anyway
                            }
                            if (accessLog != null) {
                                accessLog.close(); // writes and flushes the lines still queued
                            }
                        },
                        "sidecar-shutdown"));
    }

    static void help(PrintStream out) {
        out.println("Usage: java -jar sidecar.jar [--config FILE] [" + CdsTraining.FLAG + "]");
        out.println();
        out.println("An identity-aware reverse proxy in front of one app: verifies Keycloak JWTs, exchanges service");
        out.println("tokens (KC-Access-Client-Id/-Secret or HTTP Basic), applies policy, adds X-Auth-* headers.");
        out.println();
        out.println(
                "Every key can be set in the YAML file or by env: SIDECAR_ + the key upper-cased, '.' and '-' as '_'.");
        out.println("Durations: 500ms, 30s, 5m, 1h, 1d or ISO-8601. Lists by env: a,b or [a, b].");
        out.println();
        out.printf("  %-42s %-45s %s%n", "key", "env", "default");
        for (Map.Entry<String, String> e : ConfigLoader.keysWithDefaults().entrySet()) {
            out.printf(
                    "  %-42s %-45s %s%n",
                    e.getKey(), ConfigLoader.envName(e.getKey()), e.getValue().isEmpty() ? "\"\"" : e.getValue());
        }
        out.println();
        out.println("Full reference: docs/sidecar-config.md");
        out.println();
        out.println(
                CdsTraining.FLAG + ": start (Keycloak need not answer), send the listener a few requests, stop and");
        out.println(
                "exit 0: the training run that records the classes for an AppCDS archive (-XX:ArchiveClassesAtExit).");
    }

    /**
     * One line per log record on stderr; the access log as bare JSON lines on stdout and/or a file, written by one
     * thread off the event loops. Returns that writer (null when the access log is off).
     */
    private static AccessLogWriter setUpLogging(SidecarConfig.AccessLog accessLogConfig) throws IOException {
        Formatter oneLine = new Formatter() {
            @Override
            public String format(LogRecord r) {
                String msg = formatMessage(r);
                String thrown = r.getThrown() == null ? "" : " (" + r.getThrown() + ")";
                return String.format(
                        "%1$tFT%1$tT.%1$tLZ %2$-7s %3$s: %4$s%5$s%n",
                        r.getMillis(), r.getLevel().getName(), r.getLoggerName(), msg, thrown);
            }
        };
        Logger root = LogManager.getLogManager().getLogger("");
        for (Handler h : root.getHandlers()) {
            h.setFormatter(oneLine);
        }
        if (root.getHandlers().length == 0) {
            ConsoleHandler console = new ConsoleHandler();
            console.setFormatter(oneLine);
            root.addHandler(console);
        }
        if (!accessLogConfig.enabled) {
            return null;
        }
        // Flushed twice a second (and at exit): log shippers see a line within 0.5 s, the event loops never write.
        AccessLogWriter writer = new AccessLogWriter(
                accessLogConfig.stdout ? AccessLogWriter.processStdout() : null,
                accessLogConfig.file.isBlank() ? null : Path.of(accessLogConfig.file),
                AccessLogWriter.DEFAULT_CAPACITY,
                Duration.ofMillis(500));
        AccessLog.install(writer);
        return writer;
    }
}
