package org.servicetokens.sidecar.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects what the sidecar logs (any logger under org.servicetokens) so tests can search it; prints nothing. */
public final class LogCapture extends Handler implements AutoCloseable {

    public final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger logger;

    public LogCapture(String loggerName) {
        logger = Logger.getLogger(loggerName);
        logger.addHandler(this);
        setLevel(Level.ALL);
    }

    @Override
    public void publish(LogRecord record) {
        String msg = record.getMessage();
        lines.add(msg + (record.getThrown() == null ? "" : " " + record.getThrown()));
    }

    public String all() {
        return String.join("\n", lines);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
