package io.collavre.openclaw.bridge.chat;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunBufferTest {

    private static final Instant CREATED = Instant.parse("2025-01-02T03:04:05Z");

    private RunBuffer buffer() {
        return new RunBuffer("run-1", "42", "agent:a:collavre:42:creative:1", CREATED);
    }

    @Test
    void newBufferHoldsItsRunDataAndNoText() {
        RunBuffer buffer = buffer();

        assertEquals("run-1", buffer.getRunId());
        assertEquals("42", buffer.getOwnerId());
        assertEquals("agent:a:collavre:42:creative:1", buffer.getSessionKey());
        assertEquals(CREATED, buffer.getCreatedAt());
        assertEquals("", buffer.getText());
        assertTrue(buffer.isTextBlank());
    }

    @Test
    void cumulativeDeltasReplaceTheBufferedText() {
        RunBuffer buffer = buffer();

        assertEquals(5, buffer.mergeDelta("Hello"));
        assertEquals(11, buffer.mergeDelta("Hello world"));
        assertEquals(12, buffer.mergeDelta("Hello world!"));

        assertEquals("Hello world!", buffer.getText());
    }

    @Test
    void aDeltaBehindTheLastMergedSeqAddsNothing() {
        RunBuffer buffer = buffer();

        buffer.mergeDelta(1L, "Hel");
        buffer.mergeDelta(2L, "Hello");
        // A late copy of seq 1, or an older delta out of order: appended, it would repeat the message.
        assertTrue(buffer.isBehind(1L));
        assertTrue(buffer.isBehind(2L));
        assertEquals(5, buffer.mergeDelta(1L, "Hel"));
        assertEquals(5, buffer.mergeDelta(2L, "Hello"));

        assertEquals("Hello", buffer.getText());
        assertFalse(buffer.isBehind(3L));
    }

    @Test
    void deltasWithoutSeqAreMergedAsBefore() {
        RunBuffer buffer = buffer();

        buffer.mergeDelta(5L, "Hello");
        assertFalse(buffer.isBehind(null));
        buffer.mergeDelta(null, ", world");
        buffer.mergeDelta(6L, "Hello, world!");

        assertEquals("Hello, world!", buffer.getText());
        assertFalse(new RunBuffer("r", "42", null, CREATED).isBehind(0L), "nothing merged yet");
    }

    @Test
    void seqIsReadOnlyFromWholeNumbers() {
        assertEquals(7L, RunBuffer.seqOf(Map.of("seq", 7)));
        assertEquals(8_000_000_000L, RunBuffer.seqOf(Map.of("seq", 8_000_000_000L)));
        assertNull(RunBuffer.seqOf(Map.of("seq", "7")));
        assertNull(RunBuffer.seqOf(Map.of("seq", 7.5)));
        assertNull(RunBuffer.seqOf(Map.of()));
        assertNull(RunBuffer.seqOf(null));
    }

    @Test
    void incrementalDeltasAreAppended() {
        RunBuffer buffer = buffer();

        buffer.mergeDelta("Hello");
        buffer.mergeDelta(", ");
        assertEquals(12, buffer.mergeDelta("world"));

        assertEquals("Hello, world", buffer.getText());
    }

    @Test
    void aLongerDeltaThatDiffersFromTheTextInItsLastCharIsAnIncrement() {
        RunBuffer buffer = buffer();
        String text = "x".repeat(3000) + "a";

        buffer.mergeDelta(text);
        buffer.mergeDelta("x".repeat(3000) + "b and more");

        assertEquals(text + "x".repeat(3000) + "b and more", buffer.getText());
    }

    @Test
    void cumulativeDeltasBeyondLatin1ReplaceTheText() {
        RunBuffer buffer = buffer();

        buffer.mergeDelta("Caf\u00e9");
        buffer.mergeDelta("Caf\u00e9 \u4e16\u754c");
        assertEquals(11, buffer.mergeDelta("Caf\u00e9 \u4e16\u754c \ud83d\ude00!"));
        // Not a continuation of the text: appended.
        buffer.mergeDelta("\u4e16");

        assertEquals("Caf\u00e9 \u4e16\u754c \ud83d\ude00!\u4e16", buffer.getText());
    }

    @Test
    void repeatedCumulativeDeltaDoesNotDuplicateText() {
        RunBuffer buffer = buffer();

        buffer.mergeDelta("Hello");
        buffer.mergeDelta("Hello");

        assertEquals("Hello", buffer.getText());
    }

    @Test
    void emptyOrNullDeltaIsIgnored() {
        RunBuffer buffer = buffer();
        buffer.mergeDelta("Hello");

        assertEquals(5, buffer.mergeDelta(""));
        assertEquals(5, buffer.mergeDelta(null));

        assertEquals("Hello", buffer.getText());
    }

    @Test
    void nonEmptyFinalTextReplacesTheBufferedText() {
        RunBuffer buffer = buffer();
        buffer.mergeDelta("draft");

        buffer.applyFinal("The final answer");

        assertEquals("The final answer", buffer.getText());
    }

    @Test
    void emptyOrNullFinalTextKeepsTheBufferedText() {
        RunBuffer buffer = buffer();
        buffer.mergeDelta("buffered");

        buffer.applyFinal("");
        buffer.applyFinal(null);

        assertEquals("buffered", buffer.getText());
    }

    @Test
    void whitespaceOnlyTextIsBlank() {
        RunBuffer buffer = buffer();
        buffer.mergeDelta(" \n\t");

        assertTrue(buffer.isTextBlank());
        buffer.mergeDelta("x");
        assertFalse(buffer.isTextBlank());
    }

    @Test
    void rememberSessionKeyKeepsTheFirstKey() {
        RunBuffer buffer = buffer();

        buffer.rememberSessionKey("agent:other:collavre:9");
        buffer.rememberSessionKey(null);

        assertEquals("agent:a:collavre:42:creative:1", buffer.getSessionKey());
    }

    @Test
    void rememberSessionKeyTakesAKeyWhenNoneCameBefore() {
        RunBuffer buffer = new RunBuffer("run-1", "42", null, CREATED);

        buffer.rememberSessionKey(null);
        buffer.rememberSessionKey("agent:late:collavre:42:creative:3");
        buffer.rememberSessionKey("agent:later:collavre:42:creative:4");

        assertEquals("agent:late:collavre:42:creative:3", buffer.getSessionKey());
    }

    @Test
    void toStringNeverContainsTheText() {
        RunBuffer buffer = buffer();
        buffer.mergeDelta("secret user message");

        String text = buffer.toString();

        assertFalse(text.contains("secret"), text);
        assertFalse(text.contains("user message"), text);
        assertTrue(text.contains("run-1"), text);
        assertTrue(text.contains("chars=19"), text);
    }
}
