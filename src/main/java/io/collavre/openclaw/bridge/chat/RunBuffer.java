package io.collavre.openclaw.bridge.chat;

import java.io.Serializable;
import java.time.Instant;
import java.util.Map;

/**
 * The text of one agent run collected so far, with what the dispatch needs to know about the run.
 *
 * <p>The Gateway sends cumulative deltas (each carries the whole text so far), older clients send increments:
 * a delta that starts with the buffered text replaces it, any other delta is appended. A delta whose {@code seq} is
 * not above the last merged one is behind the buffer (a late copy, or out of order) and adds nothing: appended, an
 * older cumulative text would repeat the message.
 *
 * <p>The text is capped: a run whose text would grow past {@code maxChars} is marked overflowed and its text is
 * released. An overflowed run is never dispatched (a truncated message would be a silent lie), it is dropped when
 * it completes. Serializable so that a persistent aggregation repository can store it.
 */
public final class RunBuffer implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String runId;
    private final String ownerId;
    private final Instant createdAt;
    private final int maxChars;
    private String sessionKey;
    private String text = "";
    private boolean overflowed;
    private int overflowChars;
    /** Whether the stream was cumulative when the text went past the cap: how later deltas count. */
    private boolean overflowedCumulative;
    /** The seq of the last delta merged; null until one with a seq came (and in buffers stored before it existed). */
    private Long lastSeq;

    public RunBuffer(String runId, String ownerId, String sessionKey, Instant createdAt) {
        this(runId, ownerId, sessionKey, createdAt, Integer.MAX_VALUE);
    }

    public RunBuffer(String runId, String ownerId, String sessionKey, Instant createdAt, int maxChars) {
        if (maxChars <= 0) {
            throw new IllegalArgumentException("maxChars must be positive, was " + maxChars);
        }
        this.runId = runId;
        this.ownerId = ownerId;
        this.sessionKey = sessionKey;
        this.createdAt = createdAt;
        this.maxChars = maxChars;
    }

    /** A chat payload's seq when it is a whole number, else null: such a delta is merged without the seq check. */
    public static Long seqOf(Map<?, ?> payload) {
        Object seq = payload == null ? null : payload.get("seq");
        return seq instanceof Integer || seq instanceof Long ? Long.valueOf(((Number) seq).longValue()) : null;
    }

    /** True when a delta of this seq is not newer than the last merged one; never for a delta without seq. */
    public boolean isBehind(Long seq) {
        return seq != null && lastSeq != null && seq <= lastSeq;
    }

    /**
     * Merges a delta of the given seq (null when it has none), unless it {@linkplain #isBehind(Long) is behind};
     * returns the buffered text's length (0 once overflowed).
     */
    public synchronized int mergeDelta(Long seq, String delta) {
        if (isBehind(seq)) {
            return text.length();
        }
        if (seq != null) {
            lastSeq = seq;
        }
        return mergeDelta(delta);
    }

    /** Merges a delta's text; returns the buffered text's new length (0 once overflowed). */
    public synchronized int mergeDelta(String delta) {
        if (delta == null || delta.isEmpty()) {
            return text.length();
        }
        if (overflowed) {
            // Buffering has stopped; the size the run reaches is still counted, for the line that drops it.
            grow(overflowedCumulative ? delta.length() : (long) overflowChars + delta.length());
            return 0;
        }
        boolean cumulative = extendsText(delta);
        long merged = cumulative ? delta.length() : (long) text.length() + delta.length();
        if (merged > maxChars) {
            overflowedCumulative = cumulative;
            overflow(merged);
            return 0;
        }
        text = cumulative ? delta : text.concat(delta);
        return text.length();
    }

    /**
     * {@code delta.startsWith(text)}, as a copy and an equals: the JDK compares two equal-length strings with vector
     * instructions and {@code startsWith} byte by byte, about three times slower for a text of a few KB, and every
     * delta of a run is compared with the whole text before it (5% of the Gateway reader's CPU in a profile).
     */
    private boolean extendsText(String delta) {
        int length = text.length();
        return delta.length() >= length && text.equals(delta.substring(0, length));
    }

    /** The final message's text wins when it is not empty; otherwise the buffered text stands. */
    public synchronized void applyFinal(String finalText) {
        if (finalText == null || finalText.isEmpty()) {
            return;
        }
        if (overflowed) {
            grow(finalText.length());
            return;
        }
        if (finalText.length() > maxChars) {
            overflow(finalText.length());
            return;
        }
        text = finalText;
    }

    private void overflow(long chars) {
        overflowed = true;
        overflowChars = (int) Math.min(Integer.MAX_VALUE, chars);
        text = "";
    }

    private void grow(long chars) {
        overflowChars = (int) Math.min(Integer.MAX_VALUE, Math.max(overflowChars, chars));
    }

    /** True when the run's text went past the cap: the run must not be dispatched. */
    public boolean isOverflowed() {
        return overflowed;
    }

    /**
     * The length the run's text reached, counted on after it went past the cap: exact for cumulative deltas (the
     * Gateway's), the sum of what came for incremental ones.
     */
    public int getOverflowChars() {
        return overflowChars;
    }

    public int getMaxChars() {
        return maxChars;
    }

    /** Keeps the first session key seen for the run, taking a later one only if none came before. */
    public synchronized void rememberSessionKey(String key) {
        if (sessionKey == null && key != null) {
            sessionKey = key;
        }
    }

    public String getRunId() {
        return runId;
    }

    public String getOwnerId() {
        return ownerId;
    }

    public String getSessionKey() {
        return sessionKey;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public String getText() {
        return text;
    }

    public boolean isTextBlank() {
        return text.isBlank();
    }

    @Override
    public String toString() {
        // Never the text itself: it is the user's message, not log material.
        return "RunBuffer[runId=" + runId + ", owner=" + ownerId + ", chars=" + text.length()
               + (overflowed ? ", overflowed" : "") + "]";
    }

    /** Written while the Aggregator may merge the next delta: serialized under the same lock as the merges. */
    private synchronized void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
        out.defaultWriteObject();
    }
}
