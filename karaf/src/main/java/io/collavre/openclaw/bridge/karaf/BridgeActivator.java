package io.collavre.openclaw.bridge.karaf;

import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.collavre.openclaw.bridge.BridgeMain;
import org.apache.camel.main.Main;
import org.apache.camel.main.SimpleMainShutdownStrategy;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ManagedService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the bridge inside Apache Karaf: the same Camel Main (see {@link BridgeMain#configure}), {@code
 * application.properties} and YAML routes as {@code java -jar}, with the settings of the configuration PID {@value #PID} (Karaf:
 * {@code etc/io.collavre.openclaw.bridge.cfg}) overriding the defaults. Every change of that configuration
 * restarts the bridge with the new settings.
 *
 * <p>The routes are the YAML files packaged in the bundle's {@code routes/} folder, unless the configuration sets
 * {@code bridge.routes-dir} (a folder of YAML routes) or {@code camel.main.routes-include-pattern}.
 */
public final class BridgeActivator implements BundleActivator, ManagedService {

    /** The configuration PID, and the name of the Karaf cfg file in {@code etc/}. */
    public static final String PID = "io.collavre.openclaw.bridge";

    private static final Logger LOG = LoggerFactory.getLogger(BridgeActivator.class);
    private static final String ROUTES_FOLDER = "routes";
    /**
     * Keys ConfigAdmin, Felix FileInstall and Karaf add to a configuration (service.pid, felix.fileinstall.filename,
     * :org.apache.felix.configadmin.revision:, ...): they are not bridge settings.
     */
    private static final List<String> FRAMEWORK_KEY_PREFIXES = List.of("service.", "felix.", ":", "org.apache.karaf.");

    /** Starting and stopping Camel takes seconds: never on the framework's or ConfigAdmin's thread. */
    private final ExecutorService lifecycle = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "openclaw-bridge-lifecycle");
        thread.setDaemon(true);
        return thread;
    });

    private Bundle bundle;
    private ServiceRegistration<ManagedService> registration;
    /** Only touched on the lifecycle thread. */
    private Main main;

    @Override
    public void start(BundleContext context) {
        bundle = context.getBundle();
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(Constants.SERVICE_PID, PID);
        // ConfigAdmin calls updated() once right away: with the configuration, or with null when there is none.
        registration = context.registerService(ManagedService.class, this, properties);
    }

    @Override
    public void stop(BundleContext context) throws InterruptedException {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
        lifecycle.execute(this::stopCamel);
        lifecycle.shutdown();
        if (!lifecycle.awaitTermination(60, TimeUnit.SECONDS)) {
            LOG.warn("bridge=karaf outcome=stop-timeout reason=camel did not stop within 60s");
        }
    }

    @Override
    public void updated(Dictionary<String, ?> configuration) {
        Properties settings = settings(configuration);
        try {
            lifecycle.execute(() -> {
                stopCamel();
                startCamel(settings);
            });
        } catch (RejectedExecutionException stopping) {
            LOG.debug("bridge=karaf outcome=ignored reason=configuration-update-while-stopping");
        }
    }

    /** The bridge settings of a configuration; empty when there is none (defaults and environment variables). */
    static Properties settings(Dictionary<String, ?> configuration) {
        Properties settings = new Properties();
        if (configuration != null) {
            for (String key : Collections.list(configuration.keys())) {
                Object value = configuration.get(key);
                if (value != null && FRAMEWORK_KEY_PREFIXES.stream().noneMatch(key::startsWith)) {
                    settings.setProperty(key, value.toString().trim());
                }
            }
        }
        return settings;
    }

    private void startCamel(Properties settings) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // Camel, Vert.x and Jackson are embedded in this bundle: look their services up in it.
        thread.setContextClassLoader(BridgeActivator.class.getClassLoader());
        // As BridgeMain: the same Camel Main, configuration class and account routes, nothing scanned, and the
        // one-line report of a route that cannot start.
        Main created = BridgeMain.newMain();
        try {
            // A JVM shutdown hook has no place in a container: Karaf stops the bundle, the bundle stops Camel.
            created.setShutdownStrategy(new SimpleMainShutdownStrategy());
            Properties overrides = new Properties();
            overrides.putAll(settings);
            if (!settings.containsKey("camel.main.routes-include-pattern") && !settings.containsKey("bridge.routes-dir")) {
                overrides.setProperty("camel.main.routes-include-pattern", packagedRoutes());
                // Routes inside the bundle: no folder to watch for edits.
                overrides.setProperty("bridge.routes-reload", "false");
            }
            created.setOverrideProperties(overrides);
            created.start();
            main = created;
            LOG.info("bridge=karaf outcome=started settings={} routes={}", settings.size(),
                    created.getCamelContext().getRoutes().size());
        } catch (Exception e) {
            // The message names the setting to fix; the bundle stays active and retries on the next cfg change.
            LOG.error("bridge=karaf outcome=not-started reason=\"{}\" fix=edit etc/{}.cfg", rootMessage(e), PID);
            LOG.debug("bridge=karaf outcome=not-started", e);
            try {
                created.stop();
            } catch (RuntimeException stopFailure) {
                LOG.debug("bridge=karaf outcome=cleanup-failed", stopFailure);
            }
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private void stopCamel() {
        Main running = main;
        main = null;
        if (running != null) {
            running.stop();
            LOG.info("bridge=karaf outcome=stopped");
        }
    }

    /** The YAML routes packaged in the bundle, as an explicit list: a bundle's class path cannot be listed by pattern. */
    private String packagedRoutes() {
        Enumeration<URL> entries = bundle.findEntries(ROUTES_FOLDER, "*.yaml", false);
        List<String> routes = new ArrayList<>();
        if (entries != null) {
            for (URL entry : Collections.list(entries)) {
                String path = entry.getPath();
                routes.add("classpath:" + ROUTES_FOLDER + "/" + path.substring(path.lastIndexOf('/') + 1));
            }
        }
        if (routes.isEmpty()) {
            throw new IllegalStateException("bundle " + bundle.getSymbolicName() + " has no " + ROUTES_FOLDER + "/*.yaml");
        }
        Collections.sort(routes);
        return String.join(",", routes);
    }

    /** The innermost cause, as its type and message. */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return (root.getClass().getSimpleName() + ": " + root.getMessage()).replace('"', '\'');
    }
}
