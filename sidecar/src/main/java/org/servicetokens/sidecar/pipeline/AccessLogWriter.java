package org.servicetokens.sidecar.pipeline;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes access-log lines off the event loops, the way nginx's {@code access_log … buffer= flush=} and Envoy's
 * file sink do: callers {@link #offer} a finished line into a bounded queue (never blocking; a full queue drops the
 * line and counts it, {@link #dropped()}), and one thread ({@value #THREAD}) writes them in batches through a
 * 64 KiB buffer to stdout and/or a file, flushing at least every {@code flushInterval} and at {@link #close()}.
 *
 * <p>The file is opened for append (created {@code rw-r-----}) and checked once a second: when the path names
 * another file or none (moved away by logrotate), it is reopened at the path. A file truncated in place
 * ({@code copytruncate}) needs nothing: appends go to its new end.
 */
public final class AccessLogWriter implements AutoCloseable {

    public static final String THREAD = "access-log-writer";
    /** Lines waiting to be written; at ~250 bytes a line, at most ~16 MB of heap. */
    public static final int DEFAULT_CAPACITY = 65_536;

    private static final Logger LOG = Logger.getLogger(AccessLogWriter.class.getName());
    private static final int BATCH = 1024;
    private static final int BUFFER = 64 * 1024;
    private static final long REOPEN_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final BlockingQueue<String> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final OutputStream stdout;
    private final Path file;
    private final long flushNanos;
    private final Thread thread;
    private volatile boolean closing;
    private OutputStream fileOut;
    private Object fileKey;
    private long lastReopenCheck;

    /**
     * @param stdout where lines go besides the file (the process's stdout in production), or null for the file only
     * @param file a file to append lines to as well, or null
     * @param capacity lines the queue holds before new ones are dropped
     * @param flushInterval longest time a written line stays in the buffer
     * @throws IOException when the file cannot be opened (a clear start-up error, not a silent loss of the log)
     */
    public AccessLogWriter(OutputStream stdout, Path file, int capacity, java.time.Duration flushInterval)
            throws IOException {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.stdout = stdout == null ? null : new BufferedOutputStream(stdout, BUFFER);
        this.file = file;
        this.flushNanos = flushInterval.toNanos();
        if (file != null) {
            openFile();
        }
        thread = new Thread(this::run, THREAD);
        thread.setDaemon(true);
        thread.start();
    }

    /** The process's stdout (unsynchronised, unlike System.out), buffered here. */
    public static OutputStream processStdout() {
        return new FileOutputStream(FileDescriptor.out);
    }

    /** Queues one line (without its newline). Never blocks: returns false and counts a drop when the queue is full. */
    public boolean offer(String line) {
        if (closing || !queue.offer(line)) {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    /** Lines dropped so far because the queue was full (or the writer closed): a monotonic count for a counter. */
    public long dropped() {
        return dropped.get();
    }

    /** Writes what is queued, flushes and stops the thread (waits up to 5 s for it). */
    @Override
    public void close() {
        closing = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How long the writer sleeps when it found nothing to write: lines wait at most this long in the queue. */
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private void run() {
        List<String> batch = new ArrayList<>(BATCH);
        long lastFlush = System.nanoTime();
        boolean unflushed = false;
        while (true) {
            // Drain, then sleep: the writer never waits on the queue's condition, so an offer never has to wake it.
            // Waiting there made every line that found the writer idle unpark it: a context switch per request.
            batch.clear();
            int drained = queue.drainTo(batch, BATCH);
            for (String line : batch) {
                write(line);
                unflushed = true;
            }
            if (drained == 0 && !closing) {
                // close() sets closing, then unparks (interrupts) the thread: the rest is written below at once.
                LockSupport.parkNanos(IDLE_PARK_NANOS);
            }
            long now = System.nanoTime();
            if (closing && queue.isEmpty()) {
                flush();
                closeFile();
                return;
            }
            if (unflushed && now - lastFlush >= flushNanos) {
                flush();
                lastFlush = now;
                unflushed = false;
            }
            if (file != null && now - lastReopenCheck >= REOPEN_CHECK_NANOS) {
                lastReopenCheck = now;
                reopenIfMoved();
            }
        }
    }

    private void write(String line) {
        byte[] bytes = (line + '\n').getBytes(StandardCharsets.UTF_8);
        if (stdout != null) {
            try {
                stdout.write(bytes);
            } catch (IOException e) {
                // stdout closed (a log shipper gone): nothing better to do than keep serving
            }
        }
        if (fileOut != null) {
            try {
                fileOut.write(bytes);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "access log file " + file + " not writable: " + e.getMessage());
                closeFile();
            }
        }
    }

    private void flush() {
        try {
            if (stdout != null) {
                stdout.flush();
            }
        } catch (IOException e) {
            // as in write()
        }
        try {
            if (fileOut != null) {
                fileOut.flush();
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "access log file " + file + " not writable: " + e.getMessage());
            closeFile();
        }
    }

    private void openFile() throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
        } catch (FileAlreadyExistsException e) {
            // appended to as it is
        }
        // A FileOutputStream, not a FileChannel: close() interrupts this thread, which would close a channel.
        fileOut = new BufferedOutputStream(new FileOutputStream(file.toFile(), true), BUFFER);
        fileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    /** logrotate's default (rename, then a new file): the path no longer names the file we hold open. */
    private void reopenIfMoved() {
        Object now;
        try {
            now = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            now = null;
        } catch (IOException e) {
            return;
        }
        if (fileOut != null && now != null && now.equals(fileKey)) {
            return;
        }
        flush();
        closeFile();
        try {
            openFile();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "access log file " + file + " cannot be reopened: " + e.getMessage());
        }
    }

    private void closeFile() {
        if (fileOut != null) {
            try {
                fileOut.close();
            } catch (IOException e) {
                // already reported by write/flush
            }
            fileOut = null;
        }
    }
}
