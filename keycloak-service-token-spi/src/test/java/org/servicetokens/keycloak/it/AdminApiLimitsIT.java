package org.servicetokens.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;

/**
 * The edges of the admin API: where a created token lives (Location), how long a duration and how far a time may
 * reach (400 naming the limit, never 500), which characters a name may hold, and concurrent changes to one token
 * (one succeeds, the others 404/409, never 500).
 */
@KeycloakIntegrationTest(config = ServiceTokenServerConfig.class)
class AdminApiLimitsIT extends DemoRealmITBase {

    @Test
    void locationIsTheTokensAbsoluteApiUrl() {
        Http.Reply created = api.post("", "{\"name\":\"located\"}");
        assertEquals(201, created.status(), created.printable());
        String id = created.json().get("id").asText();
        String location = created.header("Location");
        assertEquals(urls.getBase() + "/admin/realms/" + realm.getName() + "/service-tokens/" + id, location);
        Http.Reply fetched = Http.send(HttpRequest.newBuilder(URI.create(location))
                .header("Authorization", "Bearer " + admin.tokenManager().getAccessTokenString())
                .GET());
        assertEquals(200, fetched.status(), "a GET on the Location returns the token");
        assertEquals(id, fetched.json().get("id").asText());
        assertEquals(null, fetched.json().get("clientSecret"));
    }

    @ParameterizedTest(name = "{0} {1} {2} -> 400 mentioning {3}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "POST|create|{\"name\":\"x\",\"duration\":\"P999999999999D\"}|100 years",
                "POST|create|{\"name\":\"x\",\"duration\":\"P999999999Y\"}|100 years",
                "POST|create|{\"name\":\"x\",\"duration\":\"P99999999999W\"}|100 years",
                "POST|create|{\"name\":\"x\",\"duration\":\"P9999999999999M\"}|100 years",
                "POST|create|{\"name\":\"x\",\"duration\":\"PT99999999999999S\"}|100 years",
                "POST|create|{\"name\":\"x\",\"duration\":\"P101Y\"}|100 years",
                "POST|create|{\"name\":\"x\",\"duration\":\"PT-1S\"}|negative",
                "POST|create|{\"name\":\"x\",\"duration\":\"PT0.5S\"}|whole",
                "POST|create|{\"name\":\"x\",\"duration\":\"PT0.9999999999S\"}|whole",
                "POST|create|{\"name\":\"x\",\"duration\":365}|duration",
                "POST|extend|{\"duration\":\"P999999999999D\"}|100 years",
                "POST|extend|{\"duration\":\"-P1D\"}|negative",
                "POST|extend|{\"duration\":86400}|duration",
                "POST|rotate|{\"gracePeriod\":\"P999999999999D\"}|gracePeriod",
                "POST|rotate|{\"gracePeriod\":\"P1M\"}|gracePeriod",
                "POST|rotate|{\"gracePeriod\":\"PT-1S\"}|negative",
                "POST|rotate|{\"gracePeriod\":3600}|gracePeriod",
                "PUT|previous-secret|{\"expiresAt\":\"+999999999-12-31T23:59:59Z\"}|1970-01-01T00:00:00Z",
                "PUT|previous-secret|{\"expiresAt\":\"-999999999-01-01T00:00:00Z\"}|1970-01-01T00:00:00Z",
                "PUT|previous-secret|{\"expiresAt\":\"2030-01-01T00:00:00.9999999999Z\"}|ISO-8601",
                "PUT|previous-secret|{\"expiresAt\":1700000000}|expiresAt",
                "PUT|settings|{\"defaultDuration\":\"P999999999999D\"}|100 years",
                "PUT|settings|{\"maxDuration\":\"P999999999Y\"}|100 years",
                "PUT|settings|{\"inactivityDays\":1.5}|inactivityDays",
                "PUT|settings|{\"inactivityDays\":99999999999}|inactivityDays",
                "PUT|settings|{\"expiryWarningDays\":[99999999999]}|expiryWarningDays",
            })
    void everyDurationAndTimeIsRangeChecked(String method, String call, String body, String mentioned) {
        String id = api.create("limits", "P30D").get("id").asText();
        api.post("/" + id + "/rotate", "{\"gracePeriod\":\"P1D\"}");
        String path = switch (call) {
            case "create" -> "";
            case "settings" -> "/settings";
            default -> "/" + id + "/" + call;
        };
        Http.Reply reply = "PUT".equals(method) ? api.put(path, body) : api.post(path, body);
        assertEquals(400, reply.status(), call + " " + body + ": " + reply.printable());
        assertTrue(reply.json().get("error_description").asText().contains(mentioned), reply.printable());
        assertEquals("active", api.get("/" + id).json().get("status").asText(), "nothing changed");
    }

    @Test
    void calendarFormsWithinTheLimitWork() {
        String id = api.create("weeks", "P2W").get("id").asText();
        assertEquals(
                200, api.post("/" + id + "/extend", "{\"duration\":\"P1Y6M\"}").status());
        assertEquals(
                200, api.post("/" + id + "/rotate", "{\"gracePeriod\":\"P1W\"}").status());
        assertEquals(
                200,
                api.put("/" + id + "/previous-secret", "{\"expiresAt\":\"1970-01-01T00:00:00Z\"}")
                        .status(),
                "the earliest time ends the grace");
    }

    @ParameterizedTest(name = "name with U+{0} is refused")
    @CsvSource({"202E", "202A", "2066", "2069", "200E", "200F", "061C", "200B", "200D", "FEFF", "2060", "00AD", "3164"})
    void namesAndDescriptionsThatWouldDisplayAsSomethingElseAreRefused(String hex) {
        String character = new String(Character.toChars(Integer.parseInt(hex, 16)));
        int before = api.get("").json().size();
        Http.Reply create = api.post(
                "",
                Http.JSON
                        .createObjectNode()
                        .put("name", "invoice" + character + "fdp.exe")
                        .toString());
        assertEquals(400, create.status(), create.printable());
        assertTrue(create.json().get("error_description").asText().contains("U+" + hex), create.printable());
        Http.Reply description = api.post(
                "",
                Http.JSON
                        .createObjectNode()
                        .put("name", "ok")
                        .put("description", "a" + character)
                        .toString());
        assertEquals(400, description.status());
        assertEquals(before, api.get("").json().size(), "nothing was created");
        String id = api.create("renamed", null).get("id").asText();
        assertEquals(
                400,
                api.put(
                                "/" + id,
                                Http.JSON
                                        .createObjectNode()
                                        .put("name", character + "admin")
                                        .toString())
                        .status());
        assertEquals("renamed", api.get("/" + id).json().get("name").asText());
    }

    @Test
    void parallelDeletesOfOneTokenAnswerOnce() throws Exception {
        String id = api.create("deleted twenty times", null).get("id").asText();
        Map<Integer, Integer> statuses = parallel(20, () -> api.delete("/" + id).status());
        assertEquals(1, statuses.getOrDefault(204, 0), "exactly one 204: " + statuses);
        assertEquals(
                19, statuses.getOrDefault(404, 0) + statuses.getOrDefault(409, 0), "the rest 404 or 409: " + statuses);
        assertEquals(404, api.get("/" + id).status());
    }

    @Test
    void parallelRotationsAndUpdatesNeverFail() throws Exception {
        JsonNode created = api.create("rotated in parallel", null, "demo-app");
        String id = created.get("id").asText();
        List<String> secrets = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<Integer, Integer> rotations = parallel(10, () -> {
            Http.Reply reply = api.post("/" + id + "/rotate", "{}");
            if (reply.status() == 200) {
                secrets.add(reply.json().get("clientSecret").asText());
            }
            return reply.status();
        });
        assertEquals(
                10, rotations.getOrDefault(200, 0) + rotations.getOrDefault(409, 0), "200 or 409 only: " + rotations);
        assertTrue(rotations.getOrDefault(200, 0) >= 1, "at least one rotation: " + rotations);
        long working = secrets.stream()
                .filter(secret -> Http.clientCredentials(
                                        realm.getBaseUrl(),
                                        created.get("clientId").asText(),
                                        secret)
                                .status()
                        == 200)
                .count();
        assertEquals(1, working, "exactly the last secret handed out works");

        Map<Integer, Integer> updates = parallel(
                10, () -> api.put("/" + id, "{\"description\":\"parallel\"}").status());
        assertEquals(10, updates.getOrDefault(200, 0) + updates.getOrDefault(409, 0), "200 or 409 only: " + updates);
        java.util.concurrent.atomic.AtomicInteger turn = new java.util.concurrent.atomic.AtomicInteger();
        Map<Integer, Integer> mixed = parallel(12, () -> switch (turn.getAndIncrement() % 3) {
            case 0 -> api.post("/" + id + "/extend", "{\"duration\":\"P10D\"}").status();
            case 1 -> api.put("/" + id, "{\"enabled\":true}").status();
            default -> api.post("/" + id + "/rotate", "{}").status();
        });
        assertTrue(mixed.keySet().stream().allMatch(status -> status == 200 || status == 409), "no 5xx: " + mixed);
    }

    /**
     * The last-used flush (every second in these tests) writes tokens in the background. Tokens used without
     * pause while they are updated and deleted: the admin calls answer 200/204/404/409 only, the token endpoint
     * 200 or 401, the background jobs log no failure, and the flush still stores the last use of a kept token.
     */
    @Test
    void parallelUseUpdatesAndDeletesNeverFail() throws Exception {
        long logStart = java.nio.file.Files.size(ServiceTokenServerConfig.SERVER_LOG);
        List<JsonNode> doomed = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            doomed.add(api.create("used while deleted", null, "demo-app"));
        }
        JsonNode kept = api.create("used and kept", null, "demo-app");
        List<JsonNode> all = new ArrayList<>(doomed);
        all.add(kept);
        Map<Integer, Integer> uses = new java.util.concurrent.ConcurrentHashMap<>();
        Map<Integer, Integer> changes = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        long flushSeconds = ServiceTokenServerConfig.LAST_USED_FLUSH_INTERVAL_SECONDS;
        ExecutorService users = Executors.newFixedThreadPool(all.size());
        try {
            List<Future<?>> running = new ArrayList<>();
            for (JsonNode token : all) {
                running.add(users.submit(() -> {
                    while (!stop.get()) {
                        uses.merge(
                                Http.clientCredentials(
                                                realm.getBaseUrl(),
                                                token.get("clientId").asText(),
                                                token.get("clientSecret").asText())
                                        .status(),
                                1,
                                Integer::sum);
                    }
                }));
            }
            for (JsonNode token : doomed) {
                // Spread over a few flushes, so deletes land before, during and after the flush's writes.
                Thread.sleep(flushSeconds * 1000 / 2);
                String id = token.get("id").asText();
                java.util.concurrent.atomic.AtomicInteger turn = new java.util.concurrent.atomic.AtomicInteger();
                parallel(3, () -> switch (turn.getAndIncrement()) {
                            case 0 ->
                                api.put("/" + id, "{\"description\":\"changed while in use\"}")
                                        .status();
                            case 1 ->
                                api.post("/" + id + "/extend", "{\"duration\":\"P10D\"}")
                                        .status();
                            default -> api.delete("/" + id).status();
                        })
                        .forEach((status, count) -> changes.merge(status, count, Integer::sum));
            }
            stop.set(true);
            for (Future<?> user : running) {
                user.get();
            }
        } finally {
            stop.set(true);
            users.shutdownNow();
        }
        for (JsonNode token : doomed) {
            int status = 409;
            for (int attempt = 0; attempt < 10 && status == 409; attempt++) {
                status = api.delete("/" + token.get("id").asText()).status();
            }
            assertTrue(status == 204 || status == 404, "a token still in use can be deleted: " + status);
        }
        assertTrue(
                changes.keySet().stream()
                        .allMatch(status -> List.of(200, 204, 404, 409).contains(status)),
                "admin calls: " + changes);
        assertTrue(
                uses.keySet().stream().allMatch(status -> status == 200 || status == 401), "token requests: " + uses);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(flushSeconds * 5);
        String stored = null;
        while (stored == null && System.nanoTime() < deadline) {
            stored = realm.admin()
                    .clients()
                    .get(kept.get("id").asText())
                    .toRepresentation()
                    .getAttributes()
                    .get("service-token.last-used-at");
            if (stored == null) {
                Thread.sleep(200);
            }
        }
        assertTrue(stored != null, "the flush stored the kept token's last use");
        String log = java.nio.file.Files.readString(ServiceTokenServerConfig.SERVER_LOG)
                .substring((int) logStart);
        assertTrue(
                !log.contains("Failed to run scheduled task") && !log.contains("\tat "),
                "no job failed, no stack trace:\n"
                        + log.lines()
                                .filter(line -> line.contains("ERROR") || line.startsWith("\tat "))
                                .limit(20)
                                .toList());
        assertTrue(!log.contains(kept.get("clientSecret").asText().substring(5, 30)), "no secret in the log");
    }

    /** Runs {@code call} on {@code n} threads released at once; counts the answers by status. */
    private static Map<Integer, Integer> parallel(int n, Supplier<Integer> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return call.get();
                }));
            }
            start.countDown();
            Map<Integer, Integer> counts = new TreeMap<>();
            for (Future<Integer> answer : answers) {
                counts.merge(answer.get(), 1, Integer::sum);
            }
            return counts;
        } finally {
            pool.shutdownNow();
        }
    }
}
