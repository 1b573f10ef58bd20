package io.collavre.openclaw.bridge.state;

/**
 * What the state-maintenance route runs on every tick (bean {@code stateMaintenance}): the shared database's
 * heartbeat and purge ({@link SharedStateDatabase}), or nothing with a state store of this bridge's own.
 */
public interface StateMaintenance {

    /** Does the periodic work; returns how many expired dedup keys were deleted. */
    int maintain();

    /** Nothing to maintain: the route is not even started with these stores. */
    final class None implements StateMaintenance {
        @Override
        public int maintain() {
            return 0;
        }
    }
}
