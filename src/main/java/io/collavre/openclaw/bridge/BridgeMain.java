package io.collavre.openclaw.bridge;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.collavre.openclaw.bridge.gateway.GatewayAccountRoutes;
import io.collavre.openclaw.bridge.ops.ConsoleExchangeEvents;
import io.collavre.openclaw.bridge.ops.RouteStartFailures;
import io.collavre.openclaw.bridge.ops.RoutesReloadConfiguration;
import io.collavre.openclaw.bridge.state.RunStateConfiguration;
import org.apache.camel.main.Main;

/**
 * Starts the bridge with Camel Main: settings from {@code application.properties} (overridable by environment
 * variables and system properties), routes from the {@code routes/} folder.
 */
public final class BridgeMain {

    static final String ROUTES_DIR_PROPERTY = "bridge.routes-dir";
    static final String ROUTES_DIR_ENV = "BRIDGE_ROUTES_DIR";

    private BridgeMain() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty(ROUTES_DIR_PROPERTY) == null && System.getenv(ROUTES_DIR_ENV) == null) {
            Path besideJar = routesBesideJar();
            if (!Files.isDirectory(Path.of("routes")) && besideJar != null) {
                System.setProperty(ROUTES_DIR_PROPERTY, besideJar.toString());
            }
        }
        newMain().run(args);
    }

    /**
     * Camel Main as the bridge runs it: settings from application.properties, YAML routes from the routes
     * folder, the state configuration (in-memory or persistent repositories) and the one Java route builder,
     * which creates a gateway-connection route per account. No package scanning: only what is named here and
     * in the routes folder is loaded.
     */
    public static Main newMain() {
        return configure(new Main() {
            // A route that cannot start (a bean or method name that does not exist...) is also reported in one line.
            @Override
            protected void doInit() throws Exception {
                reportingRouteFailures(super::doInit);
            }

            @Override
            protected void doStart() throws Exception {
                reportingRouteFailures(super::doStart);
            }

            private void reportingRouteFailures(Step step) throws Exception {
                try {
                    step.run();
                } catch (Exception e) {
                    RouteStartFailures.report(e, getCamelContext());
                    throw e;
                }
            }
        });
    }

    /** A step of Main's start that may fail. */
    private interface Step {
        void run() throws Exception;
    }

    /** Adds what the bridge loads besides the YAML routes to a Camel Main (also used by the Karaf activator). */
    public static Main configure(Main main) {
        main.configure().addConfiguration(RunStateConfiguration.class);
        GatewayAccountRoutes accountRoutes = new GatewayAccountRoutes();
        main.configure().addRoutesBuilder(accountRoutes);
        main.configure().addConfiguration(new RoutesReloadConfiguration(accountRoutes));
        main.configure().addConfiguration(new ConsoleExchangeEvents());
        return main;
    }

    /** The {@code routes/} folder beside the jar (or classes folder) the bridge runs from, if there is one. */
    static Path routesBesideJar() throws URISyntaxException {
        Path location = Path.of(BridgeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path folder = location.getParent() == null ? null : location.getParent().resolve("routes");
        return folder != null && Files.isDirectory(folder) ? folder : null;
    }
}
