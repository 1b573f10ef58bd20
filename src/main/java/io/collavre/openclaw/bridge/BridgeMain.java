package io.collavre.openclaw.bridge;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

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
        new Main(BridgeMain.class).run(args);
    }

    /** The {@code routes/} folder beside the jar (or classes folder) the bridge runs from, if there is one. */
    static Path routesBesideJar() throws URISyntaxException {
        Path location = Path.of(BridgeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path folder = location.getParent() == null ? null : location.getParent().resolve("routes");
        return folder != null && Files.isDirectory(folder) ? folder : null;
    }
}
