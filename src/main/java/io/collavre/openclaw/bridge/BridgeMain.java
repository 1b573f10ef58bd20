package io.collavre.openclaw.bridge;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.main.Main;

/**
 * Starts the bridge with Camel Main: settings from {@code application.properties} (overridable by environment
 * variables), routes from the {@code routes/} folder.
 */
public final class BridgeMain {

    static final String ROUTES_PATTERN_KEY = "camel.main.routes-include-pattern";

    private BridgeMain() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main(BridgeMain.class);
        Path routes = routesFolder();
        if (routes != null) {
            main.addInitialProperty(ROUTES_PATTERN_KEY, "file:" + routes + "/*.yaml");
        }
        main.run(args);
    }

    /**
     * The routes folder when none was configured: {@code ./routes} if there is one, otherwise the
     * {@code routes/} folder beside the jar. Null when neither exists or a pattern was configured explicitly.
     */
    static Path routesFolder() throws URISyntaxException {
        if (System.getProperty(ROUTES_PATTERN_KEY) != null || System.getenv("CAMEL_MAIN_ROUTES_INCLUDE_PATTERN") != null) {
            return null;
        }
        Path cwd = Path.of("routes");
        if (Files.isDirectory(cwd)) {
            return cwd.toAbsolutePath().normalize();
        }
        Path jar = Path.of(BridgeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path besideJar = jar.getParent() == null ? null : jar.getParent().resolve("routes");
        return besideJar != null && Files.isDirectory(besideJar) ? besideJar : null;
    }
}
