package io.collavre.openclaw.bridge.websocket;

/**
 * What to do when the Gateway closes the connection, and how long to wait before the next attempt.
 *
 * <p>1000 is a normal close; 1008 (policy violation), 4001 (auth failure), 4003 (forbidden) and every other
 * code from 4000 up are fatal: retrying with the same token cannot help. Everything else is worth another try,
 * after {@code base * 2^(attempt-1)}, capped.
 */
public final class ReconnectPolicy {

    public enum Action {
        STOP, RECONNECT, FATAL
    }

    /** Close code used when the connection ended without a close frame. */
    public static final int ABNORMAL_CLOSURE = 1006;

    private final long baseDelayMillis;
    private final long maxDelayMillis;

    public ReconnectPolicy(long baseDelayMillis, long maxDelayMillis) {
        if (baseDelayMillis <= 0 || maxDelayMillis < baseDelayMillis) {
            throw new IllegalArgumentException(
                    "need 0 < baseDelay <= maxDelay, was " + baseDelayMillis + " and " + maxDelayMillis);
        }
        this.baseDelayMillis = baseDelayMillis;
        this.maxDelayMillis = maxDelayMillis;
    }

    public static Action actionFor(int closeCode) {
        if (closeCode == 1000) {
            return Action.STOP;
        }
        if (closeCode == 1008 || closeCode >= 4000) {
            return Action.FATAL;
        }
        return Action.RECONNECT;
    }

    /** The delay before reconnect attempt number {@code attempt} (1 for the first retry). */
    public long delayMillis(int attempt) {
        int exponent = attempt <= 1 ? 0 : Math.min(attempt - 1, 62);
        // Compare before shifting so a large base or attempt can never overflow into a short delay.
        return baseDelayMillis > (maxDelayMillis >> exponent) ? maxDelayMillis : baseDelayMillis << exponent;
    }

    public long getBaseDelayMillis() {
        return baseDelayMillis;
    }

    public long getMaxDelayMillis() {
        return maxDelayMillis;
    }
}
