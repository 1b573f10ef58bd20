package io.collavre.openclaw.bridge.ops;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class LogSafeTest {

    @Test
    void plainTextIsKeptAsItIs() {
        String plain = "runId=r-1 account=alice state=final outcome=dispatched é ✓";
        assertSame(plain, LogSafe.line(plain));
        assertNull(LogSafe.value(null));
    }

    @Test
    void lineBreaksControlCharactersAndBidiOverridesAreEscaped() {
        assertEquals("a\\nb\\rc\\td", LogSafe.value("a\nb\rc\td"));
        assertEquals("nul\\u0000 esc\\u001B[31m del\\u007F c1\\u0085", LogSafe.value("nul\u0000 esc\u001b[31m del\u007f c1\u0085"));
        assertEquals("\\u202Eevil\\u202C \\u2066x\\u2069 \\u200Bzw \\u2028ls", LogSafe.value("\u202Eevil\u202C \u2066x\u2069 \u200Bzw \u2028ls"));
    }

    @Test
    void aBackslashIsEscapedSoThatAnEscapeInTheLogAlwaysMeansOneInTheText() {
        assertEquals("C:\\\\dir\\\\n", LogSafe.value("C:\\dir\\n"));
    }

    @Test
    void longTextIsCutWithAMarkerGivingItsLength() {
        String cut = LogSafe.value("x".repeat(LogSafe.MAX_VALUE_CHARS + 50));
        assertEquals("x".repeat(LogSafe.MAX_VALUE_CHARS) + "...[cut, " + (LogSafe.MAX_VALUE_CHARS + 50) + " chars]", cut);
        assertEquals(LogSafe.MAX_LINE_CHARS + "...[cut, 5000 chars]".length(), LogSafe.line("y".repeat(5000)).length());
    }
}
