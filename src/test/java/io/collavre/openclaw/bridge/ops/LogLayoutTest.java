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

        String routeLine = layout.toSerializable(Log4jLogEvent.newBuilder().setLoggerName("chat-state-router.yaml:23")
                .setLevel(Level.INFO).setMessage(new SimpleMessage("runId=r1")).build()).toString();
        assertTrue(routeLine.contains("] chat-state-router.yaml:23 - runId=r1"), "a route line names its file: " + routeLine);
        String classLine = layout.toSerializable(Log4jLogEvent.newBuilder()
                .setLoggerName("io.collavre.openclaw.bridge.state.RunStateConfiguration").setLevel(Level.INFO)
                .setMessage(new SimpleMessage("state=memory")).build()).toString();
        assertTrue(classLine.contains("] RunStateConfiguration - state=memory"), "a class's simple name: " + classLine);

        String longLine = layout.toSerializable(Log4jLogEvent.newBuilder().setLoggerName("camel").setLevel(Level.INFO)
                .setMessage(new SimpleMessage("x".repeat(10_000))).build()).toString();
        assertTrue(longLine.length() < 4_200, "cut at 4,000 chars: " + longLine.length());
    }
}
