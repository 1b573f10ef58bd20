package io.collavre.openclaw.bridge.gateway;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HandshakeAnswerTest {

    @Test
    void tickIntervalComesFromThePolicyOfThePayload() {
        assertEquals(250, HandshakeAnswer.tickIntervalMs(Map.of("payload", Map.of("policy", Map.of("tickIntervalMs", 250)))));
    }

    @Test
    void missingOrOddTickIntervalGivesTheProtocolDefault() {
        assertEquals(15_000, HandshakeAnswer.tickIntervalMs(null));
        assertEquals(15_000, HandshakeAnswer.tickIntervalMs(Map.of("ok", true)));
        assertEquals(15_000, HandshakeAnswer.tickIntervalMs(Map.of("payload", "x")));
        assertEquals(15_000, HandshakeAnswer.tickIntervalMs(Map.of("payload", Map.of("policy", Map.of()))));
        assertEquals(15_000, HandshakeAnswer.tickIntervalMs(Map.of("payload", Map.of("policy", Map.of("tickIntervalMs", "fast")))));
        assertEquals(15_000, HandshakeAnswer.tickIntervalMs(Map.of("payload", Map.of("policy", Map.of("tickIntervalMs", -5)))));
    }
}
