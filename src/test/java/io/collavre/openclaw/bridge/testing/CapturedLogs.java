package io.collavre.openclaw.bridge.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** Every log event at WARN or above, from any logger, while open; optionally handed to a listener as it comes. */
public final class CapturedLogs implements AutoCloseable {

    private final List<LogEvent> events = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender;

    private CapturedLogs(Consumer<LogEvent> listener) {
        this(Level.WARN, listener);
    }

    private CapturedLogs(Level level, Consumer<LogEvent> listener) {
        appender = new AbstractAppender("captured-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                LogEvent kept = event.toImmutable();
                events.add(kept);
                listener.accept(kept);
            }
        };
        appender.start();
        LoggerContext logs = (LoggerContext) LogManager.getContext(false);
        logs.getConfiguration().getRootLogger().addAppender(appender, level, null);
        logs.updateLoggers();
    }

    /** Everything logged at INFO or above, e.g. to count decisions. */
    public static CapturedLogs info() {
        return new CapturedLogs(Level.INFO, event -> { });
    }

    public static CapturedLogs warnings() {
        return new CapturedLogs(event -> { });
    }

    public static CapturedLogs warnings(Consumer<LogEvent> listener) {
        return new CapturedLogs(listener);
    }

    public List<LogEvent> events() {
        return List.copyOf(events);
    }

    /** "LEVEL message" per event, with the exception when there is one. */
    public List<String> lines() {
        return events.stream().map(CapturedLogs::line).toList();
    }

    public static String line(LogEvent event) {
        return event.getLevel() + " " + event.getMessage().getFormattedMessage()
               + (event.getThrown() == null ? "" : " " + event.getThrown());
    }

    @Override
    public void close() {
        LoggerContext logs = (LoggerContext) LogManager.getContext(false);
        logs.getConfiguration().getRootLogger().removeAppender(appender.getName());
        logs.updateLoggers();
        appender.stop();
    }
}
