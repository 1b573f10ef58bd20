package io.collavre.openclaw.bridge.ops;

import java.nio.file.Files;
import java.nio.file.Path;

import io.collavre.openclaw.bridge.gateway.GatewayAccountRoutes;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the routes folder when {@code bridge.routes-reload} is on (the default): see {@link RoutesReload}. Used
 * instead of Camel Main's {@code camel.main.routes-reload-enabled}, whose reload replaces every route (or, told not
 * to, leaves the routes made from an edited template as they were and a broken edit half applied).
 */
public class RoutesReloadConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(RoutesReloadConfiguration.class);

    // The settings, injected by Camel Main from application.properties (where their defaults and comments are).
    @PropertyInject("bridge.routes-reload")
    boolean enabled;
    @PropertyInject("bridge.routes-dir")
    String routesDir;

    private final GatewayAccountRoutes accountRoutes;

    public RoutesReloadConfiguration(GatewayAccountRoutes accountRoutes) {
        this.accountRoutes = accountRoutes;
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        if (!enabled) {
            return;
        }
        Path dir = Path.of(routesDir.trim());
        if (!Files.isDirectory(dir)) {
            LOG.info("routes-reload dir={} outcome=off reason=not-a-folder", dir);
            return;
        }
        RoutesReload reload = new RoutesReload(dir.toString(), accountRoutes::templatedRoutes);
        context.getRegistry().bind("routesReload", reload);
        context.addService(reload);
    }
}
