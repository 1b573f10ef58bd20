package io.collavre.openclaw.bridge.chat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Instant;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.processor.aggregate.MemoryAggregationRepository;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The text cap of one buffer, its serialization for a persistent repository, and the cap on open buffers. */
class RunBufferLimitsTest {

    private static RunBuffer capped(int maxChars) {
        return new RunBuffer("run-1", "42", "agent:a:collavre:42:creative:1", Instant.EPOCH, maxChars);
    }

    @Test
    void textUpToTheCapIsKept() {
        RunBuffer buffer = capped(10);
        buffer.mergeDelta("12345");
        buffer.mergeDelta("67890");

        assertEquals("1234567890", buffer.getText());
        assertFalse(buffer.isOverflowed());
    }

    @Test
    void appendedDeltasPastTheCapOverflowAndReleaseTheText() {
        RunBuffer buffer = capped(10);
        buffer.mergeDelta("123456");
        buffer.mergeDelta("7890X");

        assertTrue(buffer.isOverflowed());
        assertEquals(11, buffer.getOverflowChars());
        assertEquals("", buffer.getText(), "nothing truncated is kept");
        buffer.mergeDelta("more");
        buffer.applyFinal("short");
        assertTrue(buffer.isOverflowed(), "an overflowed run stays overflowed");
        assertEquals("", buffer.getText());
        assertEquals(15, buffer.getOverflowChars(), "incremental deltas after the cap still add to the size reached");
    }

    @Test
    void theSizeACumulativeRunReachesIsCountedAfterTheCap() {
        RunBuffer buffer = capped(10);
        buffer.mergeDelta("12345");
        buffer.mergeDelta("12345678901");
        buffer.mergeDelta("123456789012345");
        buffer.mergeDelta("12345678901234567890");

        assertTrue(buffer.isOverflowed());
        assertEquals(20, buffer.getOverflowChars(), "the size the run reached, not where buffering stopped");
        buffer.applyFinal("1234567890123456789012345");
        assertEquals(25, buffer.getOverflowChars());
    }

    @Test
    void cumulativeDeltaPastTheCapOverflows() {
        RunBuffer buffer = capped(10);
        buffer.mergeDelta("12345");
        buffer.mergeDelta("12345678901");

        assertTrue(buffer.isOverflowed());
    }

    @Test
    void finalTextPastTheCapOverflows() {
        RunBuffer buffer = capped(5);
        buffer.applyFinal("123456");

        assertTrue(buffer.isOverflowed());
        assertTrue(buffer.toString().contains("overflowed"));
    }

    @Test
    void capMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> capped(0));
    }

    @Test
    void bufferSurvivesJavaSerialization() throws Exception {
        RunBuffer buffer = capped(100);
        buffer.mergeDelta("Hello");
        buffer.rememberSessionKey("ignored");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(buffer);
        }
        RunBuffer copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (RunBuffer) in.readObject();
        }
        assertEquals("run-1", copy.getRunId());
        assertEquals("42", copy.getOwnerId());
        assertEquals("agent:a:collavre:42:creative:1", copy.getSessionKey());
        assertEquals(Instant.EPOCH, copy.getCreatedAt());
        assertEquals("Hello", copy.getText());
        assertEquals(100, copy.getMaxChars());
        copy.mergeDelta("Hello world");
        assertEquals("Hello world", copy.getText());
    }

    @Test
    void repositoryCountsOpenBuffersAndRefusesNewRunsAtTheCap() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            RunBufferRepository repository = new RunBufferRepository(new MemoryAggregationRepository());
            repository.setMaxOpenBuffers(2);
            repository.start();
            repository.add(context, "a", new DefaultExchange(context));
            assertTrue(repository.hasRoomFor("b"));
            repository.add(context, "b", new DefaultExchange(context));

            assertEquals(2, repository.getOpenBuffers());
            assertFalse(repository.hasRoomFor("c"), "no room for a third run");
            assertTrue(repository.hasRoomFor("a"), "an open run always has its buffer");
            assertTrue(repository.isOpen("b"));

            repository.remove(context, "a", new DefaultExchange(context));
            assertTrue(repository.hasRoomFor("c"));
            assertFalse(repository.isUseRecovery(), "the in-memory store recovers nothing");
            repository.stop();
        }
    }
}
