package io.collavre.openclaw.bridge.state;

/**
 * What the state-maintenance route runs on every tick (bean {@code stateMaintenance}): the shared database's
 * heartbeat and purge ({@link SharedStateDatabase}). Bound, and the route present, only with the shared store.
 */
public interface StateMaintenance {

    /** Does the periodic work; returns how many expired dedup keys were deleted. */
    int maintain();
}
