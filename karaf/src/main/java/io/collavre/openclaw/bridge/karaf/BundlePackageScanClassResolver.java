package io.collavre.openclaw.bridge.karaf;

import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Set;

import org.apache.camel.spi.PackageScanFilter;
import org.apache.camel.support.scan.DefaultPackageScanClassResolver;
import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's package scan over a bundle's own classes. The default resolver lists packages through class loader
 * URLs, which inside a bundle are {@code bundle://} entries it cannot read; this one asks the bundle for its
 * entries, so that Camel Main finds the route builders of the base package as it does on a class path.
 */
final class BundlePackageScanClassResolver extends DefaultPackageScanClassResolver {

    private static final Logger LOG = LoggerFactory.getLogger(BundlePackageScanClassResolver.class);
    private static final String CLASS_SUFFIX = ".class";

    private final Bundle bundle;

    BundlePackageScanClassResolver(Bundle bundle) {
        this.bundle = bundle;
    }

    @Override
    protected void find(PackageScanFilter test, String packageName, Set<Class<?>> classes) {
        Enumeration<URL> entries = bundle.findEntries(packageName.replace('.', '/'), "*" + CLASS_SUFFIX, true);
        if (entries == null) {
            return;
        }
        for (URL entry : Collections.list(entries)) {
            String className = className(entry.getPath());
            if (className.endsWith("package-info") || className.endsWith("module-info")) {
                continue;
            }
            try {
                Class<?> type = bundle.loadClass(className);
                if (test.matches(type)) {
                    classes.add(type);
                }
            } catch (ClassNotFoundException | LinkageError e) {
                LOG.debug("Cannot load {} from bundle {} for package scan: {}", className, bundle.getSymbolicName(), e.toString());
            }
        }
    }

    /** {@code /io/collavre/X.class} or {@code io/collavre/X.class} to {@code io.collavre.X}. */
    static String className(String entryPath) {
        String path = entryPath.startsWith("/") ? entryPath.substring(1) : entryPath;
        return path.substring(0, path.length() - CLASS_SUFFIX.length()).replace('/', '.');
    }
}
