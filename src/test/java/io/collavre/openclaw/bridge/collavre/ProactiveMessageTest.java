package io.collavre.openclaw.bridge.collavre;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.collavre.openclaw.bridge.chat.RunBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProactiveMessageTest {

    private static final Instant CREATED = Instant.parse("2025-06-01T12:00:00Z");

    private static RunBuffer run(String ownerId, String sessionKey, String text) {
        RunBuffer run = new RunBuffer("run-7", ownerId, sessionKey, CREATED);
        run.mergeDelta(text);
        return run;
    }

    private static Map<String, Object> context(Long creativeId, Long threadId) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("creative_id", creativeId);
        context.put("thread_id", threadId);
        return context;
    }

    @Test
    void fullSessionKeyGivesTheWholeDocument() {
        String key = "agent:ai-bot:collavre:42:creative:100:topic:200";

        Map<String, Object> body = ProactiveMessage.of(run("42", key, "Reminder: stand-up"));

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("type", "proactive");
        expected.put("user_id", 42L);
        expected.put("content", "Reminder: stand-up");
        expected.put("creative_id", 100L);
        expected.put("context", context(100L, 200L));
        expected.put("run_id", "run-7");
        expected.put("agent_id", "ai-bot");
        expected.put("session_key", key);
        assertEquals(expected, body);
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(body.keySet()));
    }

    @Test
    void keyWithoutTopicGivesANullThreadId() {
        Map<String, Object> body = ProactiveMessage.of(run("42", "agent:ai-bot:collavre:42:creative:100", "hi"));

        assertEquals(context(100L, null), body.get("context"));
        @SuppressWarnings("unchecked")
        Map<String, Object> context = (Map<String, Object>) body.get("context");
        assertTrue(context.containsKey("thread_id"));
        assertNull(context.get("thread_id"));
        assertEquals(100L, body.get("creative_id"));
    }

    @Test
    void userIdIsTheRunOwnerNotTheUserInTheSessionKey() {
        Map<String, Object> body = ProactiveMessage.of(
                run("42", "agent:ai-bot:collavre:999:creative:100:topic:200", "hi"));

        assertEquals(42L, body.get("user_id"));
    }

    @Test
    void userIdIsTheOwnerEvenWhenTheKeyNamesNoUser() {
        Map<String, Object> body = ProactiveMessage.of(run("7", "agent:ai-bot:creative:100", "hi"));

        assertEquals(7L, body.get("user_id"));
    }

    @Test
    void ownerIdIsTrimmedBeforeBecomingANumber() {
        assertEquals(42L, ProactiveMessage.of(run(" 42 ", "agent:a:creative:1", "hi")).get("user_id"));
    }

    @Test
    void nonNumericOwnerIdIsPassedOnAsItIs() {
        assertEquals("owner-abc", ProactiveMessage.of(run("owner-abc", "agent:a:creative:1", "hi")).get("user_id"));
    }

    @Test
    void missingOwnerGivesANullUserId() {
        Map<String, Object> body = ProactiveMessage.of(run(null, "agent:a:collavre:42:creative:1", "hi"));

        assertTrue(body.containsKey("user_id"));
        assertNull(body.get("user_id"));
    }

    @Test
    void contentIsTheBufferedText() {
        RunBuffer run = run("42", "agent:a:creative:1", "Hello");
        run.applyFinal("Hello, final");

        assertEquals("Hello, final", ProactiveMessage.of(run).get("content"));
    }

    @Test
    void missingSessionKeyGivesNullIds() {
        Map<String, Object> body = ProactiveMessage.of(run("42", null, "hi"));

        assertNull(body.get("creative_id"));
        assertNull(body.get("agent_id"));
        assertNull(body.get("session_key"));
        assertEquals(context(null, null), body.get("context"));
        assertEquals(
                List.of("type", "user_id", "content", "creative_id", "context", "run_id", "agent_id", "session_key"),
                new ArrayList<>(body.keySet()));
    }
}
