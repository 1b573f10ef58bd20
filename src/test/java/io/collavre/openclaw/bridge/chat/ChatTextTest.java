package io.collavre.openclaw.bridge.chat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class ChatTextTest {

    @Test
    void stringContentIsReturnedAsIs() {
        assertEquals("Hello, world", ChatText.of(Map.of("role", "assistant", "content", "Hello, world")));
    }

    @Test
    void textPartsAreJoinedWithNoSeparator() {
        Map<String, Object> message = Map.of("role", "assistant", "content", List.of(
                Map.of("type", "text", "text", "Hello, "),
                Map.of("type", "text", "text", "world"),
                Map.of("type", "text", "text", "!")));

        assertEquals("Hello, world!", ChatText.of(message));
    }

    @Test
    void aSingleTextPartIsReturnedAsItIs() {
        String text = "Hello, " + "world";
        Map<String, Object> message = Map.of("content", List.of(
                Map.of("type", "image", "url", "x"),
                Map.of("type", "text", "text", text)));

        assertSame(text, ChatText.of(message));
    }

    @Test
    void partsOfOtherTypesAreLeftOut() {
        Map<String, Object> message = Map.of("content", List.of(
                Map.of("type", "text", "text", "a"),
                Map.of("type", "image", "text", "IMAGE"),
                Map.of("type", "tool_use", "name", "search"),
                Map.of("type", "TEXT", "text", "UPPER"),
                Map.of("text", "untyped"),
                Map.of("type", "text", "text", "b")));

        assertEquals("ab", ChatText.of(message));
    }

    @Test
    void partsThatAreNotMapsOrLackTextAreLeftOut() {
        Map<String, Object> nullText = new HashMap<>();
        nullText.put("type", "text");
        nullText.put("text", null);
        List<Object> parts = new ArrayList<>(Arrays.asList(
                "plain string part",
                42,
                null,
                List.of("nested"),
                Map.of("type", "text"),
                nullText,
                Map.of("type", "text", "text", 7),
                Map.of("type", "text", "text", "kept")));

        assertEquals("kept", ChatText.of(Map.of("content", parts)));
    }

    @Test
    void emptyPartListGivesEmptyText() {
        assertEquals("", ChatText.of(Map.of("content", List.of())));
    }

    @Test
    void nonMapMessageGivesEmptyText() {
        assertEquals("", ChatText.of("just a string"));
        assertEquals("", ChatText.of(List.of(Map.of("content", "inside a list"))));
        assertEquals("", ChatText.of(null));
    }

    @Test
    void missingContentGivesEmptyText() {
        assertEquals("", ChatText.of(Map.of("role", "assistant")));
    }

    @Test
    void contentOfAnotherTypeGivesEmptyText() {
        assertEquals("", ChatText.of(Map.of("content", 123)));
        assertEquals("", ChatText.of(Map.of("content", Map.of("type", "text", "text", "not in a list"))));
    }
}
