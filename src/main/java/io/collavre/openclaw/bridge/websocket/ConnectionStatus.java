package io.collavre.openclaw.bridge.websocket;

import java.time.Instant;

/**
 * A snapshot of one Gateway connection, for health checks and status logs.
 *
 * @param account      the account the connection belongs to
 * @param state        where the connection is in its life
 * @param reason       why it is in that state, when it is not connected (never a secret)
 * @param lastFrameAt  when the last frame arrived, or null if none did yet
 * @param failedAttempts failed attempts since the last successful handshake
 */
public record ConnectionStatus(String account, State state, String reason, Instant lastFrameAt, int failedAttempts) {

    public enum State {
        CONNECTING, CONNECTED, RECONNECTING, FAILED, CLOSED
    }
}
