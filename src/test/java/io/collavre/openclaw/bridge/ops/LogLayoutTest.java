package io.collavre.openclaw.bridge.ops;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jar's own log layout (src/main/resources/log4j2.properties) is the last net for loggers that do not escape
 * what they log: one event is one line, with no control or bidi character, and a very long message is cut.
 */
class LogLayoutTest {

    @Test
    void theShippedLayoutWritesOneLineWithoutControlOrBidiCharacters() {
        LoggerContext logs = (LoggerContext) LogManager.getContext(false);
        Layout<?> layout = logs.getConfiguration().getAppender("console").getLayout();
        String line = layout.toSerializable(Log4jLogEvent.newBuilder().setLoggerName("camel").setLevel(Level.WARN)
                .setMessage(new SimpleMessage("runId=a\nFORGED b\u0000c\u001b[31md\u202Ee\r\nf")).build()).toString();

        assertEquals(line.length() - 1, line.indexOf('\n'), "one line: " + line);
        assertTrue(line.contains("runId=a\\nFORGED"), line);
        assertFalse(line.chars().anyMatch(c -> c == 0 || c == 0x1B || c == 0x202E || c == '\r'), line);

        String longLine = layout.toSerializable(Log4jLogEvent.newBuilder().setLoggerName("camel").setLevel(Level.INFO)
                .setMessage(new SimpleMessage("x".repeat(10_000))).build()).toString();
        assertTrue(longLine.length() < 4_200, "cut at 4,000 chars: " + longLine.length());
    }
}
