package io.collavre.openclaw.bridge;

/**
 * The names of the headers the bridge's routes and beans share, in one place. From {@code collavre-dispatch} on, a
 * completed run's {@link #RUN_ID} and {@link #ACCOUNT} are also exchange properties of the same names (the headers
 * do not survive the Collavre post, whose request headers are set afresh).
 */
public final class BridgeHeaders {

    /** The name of the Gateway account the frame came in on; set by the {@code gateway-connection} route. */
    public static final String ACCOUNT = "account";
    /** The Collavre user id that owns the account's connection; set by the {@code gateway-connection} route. */
    public static final String OWNER_ID = "ownerId";
    /** The kind of Gateway frame (see {@code gateway/FrameKinds}). */
    public static final String FRAME_KIND = "frameKind";
    /** The chat event's runId, only when usable (see {@code chat/ChatEventHeaders}). */
    public static final String RUN_ID = "runId";
    /** The chat event's state: delta, final, error, aborted or another word. */
    public static final String STATE = "state";
    /** The chat event's session key, as the Gateway sent it. */
    public static final String SESSION_KEY = "sessionKey";
    /** The Collavre user the session key names, when it names one. */
    public static final String KEY_USER_ID = "keyUserId";
    /** What duplicate frames share (see {@code chat/FrameIdentity}). */
    public static final String FRAME_ID = "frameId";

    private BridgeHeaders() {
    }
}
