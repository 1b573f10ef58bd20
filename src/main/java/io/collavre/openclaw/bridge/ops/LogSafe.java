package io.collavre.openclaw.bridge.ops;

/**
 * Makes text from outside (the Gateway's runId, state, errorMessage, session key, close reason) safe to put in a log
 * line: a frame can neither start a line of its own nor hide or reorder what an operator reads. Line breaks and every
 * other control character (NUL, ESC of ANSI sequences), the bidirectional overrides and other invisible format
 * characters are written as {@code \n}, {@code \r}, {@code \t} or {@code \u202E}; a backslash as {@code \\}, so an
 * escape in the log always means one in the text. Text longer than its cap is cut, with a marker that says how long
 * it was.
 */
public final class LogSafe {

    /** Longest text kept of one value from outside. */
    public static final int MAX_VALUE_CHARS = 300;
    /** Longest route log line kept. */
    public static final int MAX_LINE_CHARS = 4_000;

    private LogSafe() {
    }

    /** A value from outside, escaped and cut at {@link #MAX_VALUE_CHARS}; {@code null} stays {@code null}. */
    public static String value(Object value) {
        return value == null ? null : escape(value.toString(), MAX_VALUE_CHARS);
    }

    /** A whole log line, escaped and cut at {@link #MAX_LINE_CHARS}. */
    public static String line(String line) {
        return line == null ? null : escape(line, MAX_LINE_CHARS);
    }

    /** The text with every unsafe character escaped, cut at {@code maxChars} of the original text. */
    static String escape(String text, int maxChars) {
        int end = Math.min(text.length(), maxChars);
        if (end == text.length() && isSafe(text)) {
            return text;
        }
        StringBuilder safe = new StringBuilder(end + 16);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> safe.append("\\n");
                case '\r' -> safe.append("\\r");
                case '\t' -> safe.append("\\t");
                case '\\' -> safe.append("\\\\");
                default -> {
                    if (unsafe(c)) {
                        safe.append(String.format("\\u%04X", (int) c));
                    } else {
                        safe.append(c);
                    }
                }
            }
        }
        if (end < text.length()) {
            safe.append("...[cut, ").append(text.length()).append(" chars]");
        }
        return safe.toString();
    }

    private static boolean isSafe(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' || unsafe(c)) {
                return false;
            }
        }
        return true;
    }

    /** Control characters, line and paragraph separators, and format characters (bidi overrides, zero widths). */
    private static boolean unsafe(char c) {
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }
}
