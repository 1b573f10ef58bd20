package io.collavre.openclaw.bridge.websocket;

/**
 * The last few text frames of one connection, so that an exact copy of one of them is known before anything parses
 * it. The Gateway sends many events twice, a broadcast and a per-session send of the same frame, a few frames apart;
 * a copy of a frame is a duplicate whatever the frame says, and the route can drop it for the price of a string
 * compare instead of a JSON parse and the steps up to its duplicate check.
 *
 * <p>Only the last {@value #FRAMES} frames of at most {@value #MAX_CHARS} characters each are kept (at most 256 KB per
 * connection), and only for {@code windowMillis}: a frame repeated later goes through the route like any
 * other. Not thread-safe: a connection's frames run one at a time (see {@link FrameLanes}).
 */
final class RepeatedFrames {

    /** Frames remembered per connection: the Gateway's copies come within a few frames of the original. */
    static final int FRAMES = 8;
    /** Longer frames are not remembered: their copies are told apart by the route, as before. */
    static final int MAX_CHARS = 16_384;

    private final long windowNanos;
    private final String[] texts = new String[FRAMES];
    private final long[] receivedAt = new long[FRAMES];
    private int next;

    /** @param windowMillis how long a frame is remembered; 0 remembers nothing */
    RepeatedFrames(long windowMillis) {
        if (windowMillis < 0) {
            throw new IllegalArgumentException("windowMillis must not be negative, was " + windowMillis);
        }
        this.windowNanos = windowMillis * 1_000_000L;
    }

    /** True when {@code text} is identical to a frame remembered within the window before {@code nowNanos}. */
    boolean isRepeat(String text, long nowNanos) {
        if (windowNanos == 0) {
            return false;
        }
        for (int i = 0; i < FRAMES; i++) {
            String seen = texts[i];
            // The length first: most frames differ in it, and equals of two long frames is the costly part.
            if (seen != null && seen.length() == text.length() && nowNanos - receivedAt[i] <= windowNanos
                && seen.equals(text)) {
                return true;
            }
        }
        return false;
    }

    /** Remembers a frame the route took, received at {@code nowNanos}, in place of the oldest one. */
    void remember(String text, long nowNanos) {
        if (windowNanos == 0 || text.length() > MAX_CHARS) {
            return;
        }
        texts[next] = text;
        receivedAt[next] = nowNanos;
        next = (next + 1) % FRAMES;
    }
}
