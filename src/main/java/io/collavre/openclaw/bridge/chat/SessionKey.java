package io.collavre.openclaw.bridge.chat;

/**
 * The parts of an OpenClaw session key,
 * {@code agent:<agent_id>:collavre:<user_id>[:creative:<id>][:topic:<id>]}.
 *
 * <p>Parsing walks {@code key:value} pairs and skips unknown words one at a time, as the original Collavre
 * handler does. A numeric part that is not a number is treated as absent rather than guessed at, so a hostile
 * key can never route a message to an id it did not spell out.
 */
public record SessionKey(String agentId, Long userId, Long creativeId, Long topicId) {

    /** Keys longer than this are not parsed: real keys are a few dozen characters. */
    public static final int MAX_LENGTH = 1024;

    public static final SessionKey EMPTY = new SessionKey(null, null, null, null);

    public static SessionKey parse(String key) {
        if (key == null || key.isBlank() || key.length() > MAX_LENGTH) {
            return EMPTY;
        }
        String[] parts = key.split(":", -1);
        String agentId = null;
        Long userId = null;
        Long creativeId = null;
        Long topicId = null;
        int i = 0;
        while (i < parts.length) {
            String word = parts[i];
            String value = i + 1 < parts.length ? parts[i + 1] : null;
            switch (word) {
                case "agent" -> agentId = value == null || value.isEmpty() ? null : value;
                case "collavre" -> userId = number(value);
                case "creative" -> creativeId = number(value);
                case "topic" -> topicId = number(value);
                default -> {
                    i++;
                    continue;
                }
            }
            i += 2;
        }
        return new SessionKey(agentId, userId, creativeId, topicId);
    }

    public boolean hasCreative() {
        return creativeId != null;
    }

    private static Long number(String value) {
        if (value == null || value.isEmpty() || value.length() > 18) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        return Long.parseLong(value);
    }
}
