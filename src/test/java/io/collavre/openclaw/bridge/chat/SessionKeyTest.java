package io.collavre.openclaw.bridge.chat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionKeyTest {

    @Test
    void fullKeyGivesAgentUserCreativeAndTopic() {
        SessionKey key = SessionKey.parse("agent:ai-bot:collavre:42:creative:100:topic:200");

        assertEquals(new SessionKey("ai-bot", 42L, 100L, 200L), key);
        assertTrue(key.hasCreative());
    }

    @Test
    void keyWithoutTopicHasNoTopic() {
        SessionKey key = SessionKey.parse("agent:ai-bot:collavre:42:creative:100");

        assertEquals(new SessionKey("ai-bot", 42L, 100L, null), key);
        assertTrue(key.hasCreative());
    }

    @Test
    void keyWithOnlyAgentAndUserHasNoCreativeAndNoTopic() {
        SessionKey key = SessionKey.parse("agent:bot:collavre:7");

        assertEquals(new SessionKey("bot", 7L, null, null), key);
        assertFalse(key.hasCreative());
    }

    @Test
    void nullKeyGivesEmpty() {
        assertSame(SessionKey.EMPTY, SessionKey.parse(null));
        assertFalse(SessionKey.parse(null).hasCreative());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t\n"})
    void blankKeyGivesEmpty(String blank) {
        assertSame(SessionKey.EMPTY, SessionKey.parse(blank));
    }

    @Test
    void unknownWordsAreSkippedOneAtATime() {
        SessionKey key = SessionKey.parse("foo:agent:x:bar:creative:5");

        assertEquals(new SessionKey("x", null, 5L, null), key);
    }

    @Test
    void unknownWordBeforeEveryPairDoesNotShiftThePairs() {
        SessionKey key = SessionKey.parse("a:agent:x:b:collavre:1:c:creative:2:d:topic:3");

        assertEquals(new SessionKey("x", 1L, 2L, 3L), key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "1e9", "-5", "+5", "5.0", "0x10", " 5", "1234567890123456789",
            "99999999999999999999999"})
    void nonNumericOrTooLongCreativeIdIsAbsent(String value) {
        SessionKey key = SessionKey.parse("agent:x:collavre:1:creative:" + value + ":topic:9");

        assertNull(key.creativeId());
        assertFalse(key.hasCreative());
        assertEquals(9L, key.topicId());
        assertEquals(1L, key.userId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "1e9", "-5", "12345678901234567890"})
    void nonNumericUserAndTopicIdsAreAbsent(String value) {
        SessionKey key = SessionKey.parse("agent:x:collavre:" + value + ":creative:3:topic:" + value);

        assertNull(key.userId());
        assertNull(key.topicId());
        assertEquals(3L, key.creativeId());
    }

    @Test
    void eighteenDigitIdIsStillParsed() {
        SessionKey key = SessionKey.parse("creative:999999999999999999");

        assertEquals(999_999_999_999_999_999L, key.creativeId());
    }

    @Test
    void leadingZerosAreParsedAsDecimal() {
        assertEquals(8L, SessionKey.parse("creative:008").creativeId());
    }

    @Test
    void emptyValuesAreAbsent() {
        SessionKey key = SessionKey.parse("agent::collavre::creative::topic:");

        assertEquals(SessionKey.EMPTY, key);
    }

    @Test
    void keyLongerThanMaxLengthGivesEmpty() {
        String prefix = "agent:x:collavre:1:creative:2:topic:3:";
        String key = prefix + "p".repeat(SessionKey.MAX_LENGTH - prefix.length() + 1);

        assertEquals(SessionKey.MAX_LENGTH + 1, key.length());
        assertSame(SessionKey.EMPTY, SessionKey.parse(key));
    }

    @Test
    void keyOfExactlyMaxLengthIsParsed() {
        String prefix = "agent:x:collavre:1:creative:2:topic:3:";
        String key = prefix + "p".repeat(SessionKey.MAX_LENGTH - prefix.length());

        assertEquals(SessionKey.MAX_LENGTH, key.length());
        assertEquals(new SessionKey("x", 1L, 2L, 3L), SessionKey.parse(key));
    }

    @Test
    void trailingWordWithoutValueIsAbsent() {
        SessionKey key = SessionKey.parse("agent:x:creative");

        assertEquals(new SessionKey("x", null, null, null), key);
    }

    @Test
    void trailingAgentWithoutValueIsAbsent() {
        SessionKey key = SessionKey.parse("collavre:4:agent");

        assertEquals(new SessionKey(null, 4L, null, null), key);
    }
}
