package io.collavre.openclaw.bridge.websocket;

/**
 * Told when this bridge starts and stops reading an account's connection, found in the registry by type by
 * {@link ReconnectingWebsocketComponent}: what the bridge holds for the account (its run buffers, with a store several
 * bridges share) follows the connection from one bridge to the next.
 */
public interface ConnectionListener {

    /** The connection is about to open: no frame of the account arrives before this returns. */
    void starting(String account);

    /** The connection is closed and every frame it had accepted was processed. */
    void stopped(String account);
}
