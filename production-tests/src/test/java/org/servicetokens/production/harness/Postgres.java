package org.servicetokens.production.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

/**
 * PostgreSQL 15 from Debian ({@code /usr/lib/postgresql/15/bin}) in a fresh data directory on a free port:
 * {@code initdb} + {@code pg_ctl}, run as the {@code postgres} user when the tests run as root (PostgreSQL refuses
 * root). Durability is off ({@code fsync=off}): the data dies with the test run anyway.
 */
public final class Postgres implements AutoCloseable {

    public static final Path BIN = Path.of(System.getProperty("postgres.bin", "/usr/lib/postgresql/15/bin"));
    public static final String DATABASE = "keycloak";
    public static final String USER = "keycloak";

    public final int port;
    public final String password;
    private final Path dir;

    private Postgres(Path dir, int port, String password) {
        this.dir = dir;
        this.port = port;
        this.password = password;
    }

    public static Postgres start(Path dir) throws IOException {
        if (!Files.isExecutable(BIN.resolve("initdb"))) {
            throw new IllegalStateException(BIN + "/initdb is missing: apt-get install postgresql-15");
        }
        Files.createDirectories(dir);
        if ("root".equals(System.getProperty("user.name"))) {
            Proc.run(null, Map.of(), 30, "chown", "-R", "postgres:postgres", dir.toString());
        }
        int port = Ports.free();
        String password = "pw-" + Long.toHexString(System.nanoTime());
        Proc.run(
                dir,
                Map.of(),
                120,
                Proc.asPostgres(
                        BIN.resolve("initdb").toString(),
                        "-D",
                        dir.resolve("data").toString(),
                        "-U",
                        "postgres",
                        "--auth-local=trust",
                        "--auth-host=scram-sha-256",
                        "-E",
                        "UTF8",
                        "--locale=C"));
        Proc.run(
                dir,
                Map.of(),
                60,
                Proc.asPostgres(
                        BIN.resolve("pg_ctl").toString(),
                        "-D",
                        dir.resolve("data").toString(),
                        "-l",
                        dir.resolve("postgres.log").toString(),
                        "-w",
                        "-o",
                        "-p " + port + " -k " + dir
                                + " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                                + " -c full_page_writes=off -c max_connections=200",
                        "start"));
        Postgres postgres = new Postgres(dir, port, password);
        postgres.psql("postgres", "create role " + USER + " login password '" + password + "'");
        postgres.psql("postgres", "create database " + DATABASE + " owner " + USER);
        return postgres;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** A connection as Keycloak's own database user. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, password);
    }

    /** Runs SQL as the superuser in Keycloak's database. */
    public String psql(String sql) {
        return psql(DATABASE, sql);
    }

    private String psql(String database, String sql) {
        return Proc.run(
                dir,
                Map.of(),
                60,
                Proc.asPostgres(
                        BIN.resolve("psql").toString(),
                        "-h",
                        dir.toString(),
                        "-p",
                        Integer.toString(port),
                        "-U",
                        "postgres",
                        "-d",
                        database,
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-qAt",
                        "-c",
                        sql));
    }

    /** {@code pg_dump} of Keycloak's database, as plain SQL. */
    public String dump() {
        return Proc.run(
                dir,
                Map.of(),
                120,
                Proc.asPostgres(
                        BIN.resolve("pg_dump").toString(),
                        "-h",
                        dir.toString(),
                        "-p",
                        Integer.toString(port),
                        "-U",
                        "postgres",
                        DATABASE));
    }

    public Path log() {
        return dir.resolve("postgres.log");
    }

    @Override
    public void close() {
        try {
            Proc.run(
                    dir,
                    Map.of(),
                    60,
                    Proc.asPostgres(
                            BIN.resolve("pg_ctl").toString(),
                            "-D",
                            dir.resolve("data").toString(),
                            "-m",
                            "fast",
                            "-w",
                            "stop"));
        } catch (RuntimeException e) {
            System.err.println("PostgreSQL did not stop: " + e.getMessage());
        }
    }
}
