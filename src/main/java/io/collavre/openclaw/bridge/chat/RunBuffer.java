package io.collavre.openclaw.bridge.chat;

import java.time.Instant;

/**
 * The text of one agent run collected so far, with what the dispatch needs to know about the run.
 *
 * <p>The Gateway sends cumulative deltas (each carries the whole text so far), older clients send increments:
 * a delta that starts with the buffered text replaces it, any other delta is appended.
 */
public final class RunBuffer {

    private final String runId;
    private final String ownerId;
    private final Instant createdAt;
    private String sessionKey;
    private String text = "";

    public RunBuffer(String runId, String ownerId, String sessionKey, Instant createdAt) {
        this.runId = runId;
        this.ownerId = ownerId;
        this.sessionKey = sessionKey;
        this.createdAt = createdAt;
    }

    /** Merges a delta's text; returns the buffered text's new length. */
    public int mergeDelta(String delta) {
        if (delta == null || delta.isEmpty()) {
            return text.length();
        }
        text = delta.startsWith(text) ? delta : text.concat(delta);
        return text.length();
    }

    /** The final message's text wins when it is not empty; otherwise the buffered text stands. */
    public void applyFinal(String finalText) {
        if (finalText != null && !finalText.isEmpty()) {
            text = finalText;
        }
    }

    /** Keeps the first session key seen for the run, taking a later one only if none came before. */
    public void rememberSessionKey(String key) {
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
        return "RunBuffer[runId=" + runId + ", owner=" + ownerId + ", chars=" + text.length() + "]";
    }
}
