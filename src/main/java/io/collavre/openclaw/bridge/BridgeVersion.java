package io.collavre.openclaw.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The bridge's own version, from a resource the build fills in. Not from the jar manifest: in the one self-contained
 * jar the manifest's Implementation-Version would stand for every package in it, and Camel would report the bridge's
 * version as its own.
 */
public final class BridgeVersion {

    private static final String RESOURCE = "bridge-version.properties";
    private static final String VERSION = read();

    private BridgeVersion() {
    }

    /** The version, or {@code dev} when the classes do not come from a build (an IDE, say). */
    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = BridgeVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "dev";
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "");
            return version.isBlank() || version.startsWith("${") ? "dev" : version;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
