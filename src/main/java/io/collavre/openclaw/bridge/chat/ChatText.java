package io.collavre.openclaw.bridge.chat;

import java.util.List;
import java.util.Map;

/**
 * Extracts the text of a chat {@code message}: its {@code content} is either a string or a list of parts, of
 * which those with {@code type: "text"} contribute their {@code text}, joined with no separator.
 */
public final class ChatText {

    private ChatText() {
    }

    /** The message's text, or an empty string when it has none. */
    public static String of(Object message) {
        if (!(message instanceof Map<?, ?> map)) {
            return "";
        }
        Object content = map.get("content");
        if (content instanceof String text) {
            return text;
        }
        if (content instanceof List<?> parts) {
            // Most messages have one text part: it is returned as it is, not copied (deltas grow to kilobytes).
            String first = null;
            StringBuilder joined = null;
            for (Object part : parts) {
                if (part instanceof Map<?, ?> p && "text".equals(p.get("type")) && p.get("text") instanceof String t) {
                    if (first == null) {
                        first = t;
                    } else {
                        if (joined == null) {
                            joined = new StringBuilder(first);
                        }
                        joined.append(t);
                    }
                }
            }
            return joined != null ? joined.toString() : first != null ? first : "";
        }
        return "";
    }
}
