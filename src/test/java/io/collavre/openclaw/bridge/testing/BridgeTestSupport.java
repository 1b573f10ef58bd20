package io.collavre.openclaw.bridge.testing;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the route test classes that share one bridge: a {@link BridgeFixture} started with the class's
 * {@link #settings()} before its first test and closed after its last, and the Collavre receiver cleared before
 * each test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BridgeTestSupport {

    protected BridgeFixture fixture;
    protected GatewaySimulator gateway;
    protected CollavreReceiver collavre;

    /** The settings this class's bridge runs with, over the fixture's own. */
    protected abstract Map<String, String> settings();

    @BeforeAll
    void startBridge() throws Exception {
        fixture = BridgeFixture.start(settings());
        gateway = fixture.gateway;
        collavre = fixture.collavre;
    }

    @AfterAll
    void stopBridge() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @BeforeEach
    void clearReceiver() {
        collavre.reset();
    }
}
