package io.collavre.openclaw.bridge.chat;

import java.util.Map;

/**
 * What makes a chat event frame the same as another: the Gateway sends many frames twice on one socket, and
 * the two copies share {@code (runId, seq, state)}. A {@code delta} and a {@code final} may share a seq, so the
 * state is part of the identity. Without a seq the message text stands in for it, so that two different
 * increments of a run are never taken for copies of each other.
 */
public final class FrameIdentity {

    private FrameIdentity() {
    }

    public static String of(String account, Map<String, Object> payload) {
        Object seq = payload.get("seq");
        String position = seq != null ? "seq=" + seq : "text=" + Integer.toHexString(ChatText.of(payload.get("message")).hashCode())
                                                      + "/" + ChatText.of(payload.get("message")).length();
        return account + '|' + payload.get("runId") + '|' + position + '|' + payload.get("state");
    }
}
