package org.servicetokens.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.event.CacheEntryRemovedEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.servicetokens.sidecar.config.ConfigLoader;
import org.servicetokens.sidecar.config.SidecarConfig;
import org.servicetokens.sidecar.grant.ClientCredentialsGrants;
import org.servicetokens.sidecar.support.FakeKeycloak;
import org.servicetokens.sidecar.support.Harness;
import org.servicetokens.sidecar.support.Http;
import org.servicetokens.sidecar.support.TestSecrets;

/**
 * Blocking on the event loop (issue 11, kind 16), shown with two clustered replicas where B applies every removal
 * from the exchanged-token cache 1 s late (a synchronous listener): a synchronous replicated write on A would hold
 * A's event loop that long. The eviction of a revoked exchange must return at once and complete later; the
 * {@code /metrics} gauges (which read cache sizes) must be sampled off the event loop.
 */
class EventLoopBlockingTest {

    static Harness a;
    static Sidecar b;
    static int portA;
    static int portB;

    /** Holds up B's copy of a removal, as a slow or distant replica would. */
    @Listener(sync = true)
    public static final class SlowRemovals {
        final AtomicInteger seen = new AtomicInteger();

        @CacheEntryRemoved
        public void removed(CacheEntryRemovedEvent<String, String> event) {
            if (event.isPre() && !event.isOriginLocal()) {
                seen.incrementAndGet();
                Harness.sleep(1000);
            }
        }
    }

    @BeforeAll
    static void start() {
        portA = Harness.freePort();
        portB = Harness.freePort();
        a = new Harness(c -> {
            c.cluster.name = "blocking-" + UUID.randomUUID();
            c.cluster.bindAddress = "127.0.0.1";
            c.cluster.port = portA;
            c.cluster.members = new ArrayList<>(List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB));
            c.cluster.secret = "unit-test-blocking-cluster-secret-1";
        });
        SidecarConfig c =
                ConfigLoader.mapper().convertValue(ConfigLoader.mapper().valueToTree(a.config), SidecarConfig.class);
        c.listen.port = Harness.freePort();
        c.management.port = Harness.freePort();
        c.cluster.port = portB;
        b = Http.await(Sidecar.start(c));
        long deadline = System.currentTimeMillis() + 20_000;
        while ((a.sidecar.caches().clusterSize() < 2 || b.caches().clusterSize() < 2)
                && System.currentTimeMillis() < deadline) {
            Harness.sleep(50);
        }
        assertEquals(2, a.sidecar.caches().clusterSize(), "both replicas in one cluster");
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            Http.await(b.close());
        }
        a.close();
    }

    @Test
    void evictingARevokedExchangeNeverHoldsTheEventLoop() throws Exception {
        a.keycloak.clients.put(
                "evict-bot",
                new FakeKeycloak.Client(TestSecrets.of("evict-bot"), "sub-evict", "e", List.of("demo-app")));
        assertEquals(
                200,
                a.http.get(
                                "/e",
                                "KC-Access-Client-Id",
                                "evict-bot",
                                "KC-Access-Client-Secret",
                                TestSecrets.of("evict-bot"))
                        .status());
        SlowRemovals slow = new SlowRemovals();
        b.caches().grantedTokens().addListener(slow);
        ClientCredentialsGrants grants = a.sidecar.grants();
        Context context = a.sidecar.vertx().getOrCreateContext();
        Promise<Long> heldMs = Promise.promise();
        Promise<Long> doneMs = Promise.promise();
        context.runOnContext(v -> {
            long t0 = System.nanoTime();
            grants.evict("evict-bot", TestSecrets.of("evict-bot"))
                    .onComplete(ar -> doneMs.complete((System.nanoTime() - t0) / 1_000_000));
            heldMs.complete((System.nanoTime() - t0) / 1_000_000);
        });
        long held = Http.await(heldMs.future());
        long done = Http.await(doneMs.future());
        assertTrue(slow.seen.get() >= 1, "B saw the replicated removal");
        assertTrue(held < 200, "the event loop was held " + held + " ms (B takes 1 s to apply the removal)");
        assertTrue(done >= 900, "the removal completes once B applied it: " + done + " ms");
        b.caches().grantedTokens().removeListener(slow);
    }

    @Test
    void metricsGaugesAreSampledOffTheEventLoop() {
        AtomicBoolean onEventLoop = new AtomicBoolean(true);
        AtomicInteger samples = new AtomicInteger();
        a.sidecar.metrics().gauge("sidecar.test.sampling.thread", "test", () -> {
            onEventLoop.set(Context.isOnEventLoopThread());
            return samples.incrementAndGet();
        });
        String text = a.management().get("/metrics").body();
        assertTrue(text.contains("sidecar_test_sampling_thread"), "the gauge was sampled");
        assertTrue(samples.get() > 0);
        assertFalse(onEventLoop.get(), "gauges read caches: never on an event loop");
        assertTrue(
                text.contains("sidecar_cache_entries{cache=\"exchanged-tokens\"}"),
                "cache sizes without asking the cluster");
    }
}
