package io.collavre.openclaw.bridge.gateway;

import java.util.Map;

/** Reads the Gateway's answer ({@code res}) to the {@code connect} request. */
public final class HandshakeAnswer {

    /** The keepalive interval the protocol assumes when the answer names none. */
    public static final long DEFAULT_TICK_INTERVAL_MS = 15_000;

    private HandshakeAnswer() {
    }

    /** {@code payload.policy.tickIntervalMs} of the answer when it is a positive number, else the default. */
    public static long tickIntervalMs(Map<String, Object> res) {
        if (res != null && res.get("payload") instanceof Map<?, ?> payload
            && payload.get("policy") instanceof Map<?, ?> policy
            && policy.get("tickIntervalMs") instanceof Number interval && interval.longValue() > 0) {
            return interval.longValue();
        }
        return DEFAULT_TICK_INTERVAL_MS;
    }
}
