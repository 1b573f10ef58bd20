package io.collavre.openclaw.bridge.testing;

import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

import io.collavre.openclaw.bridge.BridgeMain;

/**
 * Runs the bridge as {@link BridgeMain} does: Camel Main, {@code application.properties} and the YAML routes
 * of the project's {@code routes/} folder, with the given settings overriding the defaults. The management server
 * listens on a free port unless {@code bridge.management.port} is given.
 */
public final class BridgeRunner implements AutoCloseable {

    private final Main main;

    private BridgeRunner(Main main) {
        this.main = main;
    }

    public static BridgeRunner start(Map<String, String> settings) throws Exception {
        Main main = BridgeMain.newMain();
        // Any free management port unless a test asks for one: tests and builds may run side by side.
        main.addOverrideProperty("bridge.management.port", "0");
        settings.forEach(main::addOverrideProperty);
        main.start();
        return new BridgeRunner(main);
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    @Override
    public void close() {
        main.stop();
    }
}
