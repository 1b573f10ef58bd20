package io.collavre.openclaw.bridge.chat;

import java.util.Set;

/**
 * A run buffer store several bridges share, in which an account's buffers live in the memory of the bridge connected
 * to the account: they are taken over when a bridge starts reading the account and handed over when it stops.
 */
public interface AccountBufferHandover {

    /** Reads the account's stored buffers into this bridge, before its connection opens; returns the run ids taken. */
    Set<String> takeOver(String account);

    /** Writes the account's buffers and lets them go, after its connection closed; returns the run ids let go. */
    Set<String> handOver(String account);
}
