package org.servicetokens.sidecar.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer thread: batches, bounded queue with counted drops, flush on time and at close, file reopening. */
class AccessLogWriterTest {

    @TempDir
    Path dir;

    @Test
    void closeWritesAndFlushesEverythingQueued() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLogWriter w = new AccessLogWriter(out, null, 10_000, Duration.ofHours(1));
        for (int i = 0; i < 5000; i++) {
            assertTrue(w.offer("{\"n\":" + i + "}"));
        }
        w.close();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(5000, lines.size());
        assertEquals("{\"n\":0}", lines.get(0));
        assertEquals("{\"n\":4999}", lines.get(4999));
        assertEquals(0, w.dropped());
        assertFalse(w.offer("late"), "a closed writer takes nothing");
        assertEquals(1, w.dropped());
    }

    @Test
    void aFullQueueDropsAndCountsWithoutBlocking() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // stdout that blocks on its first write: the writer thread holds one line, the queue fills up behind it.
        OutputStream blocking = new OutputStream() {
            @Override
            public void write(int b) {}

            @Override
            public void write(byte[] b, int off, int len) {
                stuck.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        // The writer's own 64 KiB buffer takes the first lines; make each line big enough to reach the stream.
        String big = "x".repeat(70_000);
        AccessLogWriter w = new AccessLogWriter(blocking, null, 4, Duration.ofMillis(50));
        w.offer(big);
        assertTrue(stuck.await(5, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        int accepted = 0;
        for (int i = 0; i < 100; i++) {
            if (w.offer("line " + i)) {
                accepted++;
            }
        }
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1), "offer never waits");
        assertEquals(4, accepted, "the queue holds its capacity");
        assertEquals(96, w.dropped());
        release.countDown();
        w.close();
    }

    @Test
    void flushesWithinTheIntervalWithoutClose() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (AccessLogWriter w = new AccessLogWriter(out, null, 100, Duration.ofMillis(100))) {
            w.offer("{\"a\":1}");
            long deadline = System.currentTimeMillis() + 5000;
            while (out.size() == 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertEquals("{\"a\":1}\n", out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void fileIsCreated0640AndReopenedWhenMovedAway() throws Exception {
        Path file = dir.resolve("access.log");
        try (AccessLogWriter w = new AccessLogWriter(null, file, 100, Duration.ofMillis(50))) {
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            w.offer("one");
            waitFor(() -> content(file).equals("one\n"));
            Files.move(file, dir.resolve("access.log.1")); // logrotate without copytruncate
            // Checked once a second: the lines written meanwhile go to the old file, the later ones to the new.
            long deadline = System.currentTimeMillis() + 5000;
            while (!Files.exists(file) && System.currentTimeMillis() < deadline) {
                w.offer("tick");
                Thread.sleep(100);
            }
            w.offer("two");
            waitFor(() -> content(file).endsWith("two\n"));
            assertTrue(content(dir.resolve("access.log.1")).startsWith("one\n"));
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
    }

    @Test
    void aTruncatedFileIsAppendedToAtItsNewEnd() throws Exception {
        Path file = dir.resolve("access.log");
        Files.writeString(file, "old line kept by the writer's creator\n");
        try (AccessLogWriter w = new AccessLogWriter(null, file, 100, Duration.ofMillis(50))) {
            w.offer("first");
            waitFor(() -> content(file).endsWith("first\n"));
            try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(0); // logrotate copytruncate
            }
            w.offer("second");
            waitFor(() -> content(file).equals("second\n"));
        }
    }

    private static String content(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean());
    }
}
