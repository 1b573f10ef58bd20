package io.collavre.openclaw.bridge.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live reload of the {@code routes/} folder that leaves the bridge whole: an edited file replaces only its own routes
 * (Camel's {@code routes-reload-remove-all-routes=false} way), the routes an edited template file describes are
 * created again from it (Camel leaves a template's existing routes as they were), and an edit that does not load
 * (YAML, a step, a bean or method name) is refused in one log line while the routes loaded before keep running.
 * The run state survives because the beans that hold it outlive the routes ({@link io.collavre.openclaw.bridge.ContextScope}).
 */
public final class RoutesReload extends RouteWatcherReloadStrategy {

    /** A route created from a route template, and how: what is needed to create it again. */
    public record TemplatedRoute(String templateId, String routeId, Map<String, Object> parameters) {
        /** Without the parameters: the handshake's hold the Gateway token. */
        @Override
        public String toString() {
            return routeId + " (from " + templateId + ")";
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(RoutesReload.class);
    /** An editor's save may come as several writes: the file is read until it stays the same this long. */
    private static final long SETTLE_MILLIS = 100;
    private static final long SETTLE_GIVE_UP_MILLIS = 2000;

    private final Path folder;
    private final Supplier<List<TemplatedRoute>> templatedRoutes;
    /** Per route file, the content that loaded last: what a refused edit is undone to. */
    private final Map<Path, String> loaded = new ConcurrentHashMap<>();
    /** Per route file, the content last tried: a save reported twice is tried (and refused) once. */
    private final Map<Path, String> tried = new ConcurrentHashMap<>();
    private final AtomicInteger reloads = new AtomicInteger();
    private final AtomicInteger refusals = new AtomicInteger();

    public RoutesReload(String folder, Supplier<List<TemplatedRoute>> templatedRoutes) {
        super(folder, false);
        this.folder = Path.of(folder).toAbsolutePath().normalize();
        this.templatedRoutes = templatedRoutes;
        setPattern("*.yaml");
        setRemoveAllRoutes(false);
    }

    /** Edits loaded since the start. */
    public int getReloads() {
        return reloads.get();
    }

    /** Edits refused since the start. */
    public int getRefusals() {
        return refusals.get();
    }

    @Override
    protected void doStart() throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".yaml")).toList()) {
                String content = Files.readString(file, StandardCharsets.UTF_8);
                loaded.put(file, content);
                tried.put(file, content);
            }
        }
        super.doStart();
    }

    @Override
    protected String startupMessage(java.io.File dir) {
        return "routes-reload dir=" + dir + " outcome=watching";
    }

    @Override
    protected boolean onPropertiesReload(Resource resource, boolean reloadRoutes) {
        // Only route files are watched (*.yaml): settings are read at start.
        return false;
    }

    @Override
    protected void onRouteReload(Collection<Resource> resources, boolean removeEverything) {
        if (resources != null) {
            resources.forEach(this::reload);
        }
    }

    private void reload(Resource resource) {
        Path file = resource == null ? null : pathOf(resource.getLocation());
        if (file == null) {
            return;
        }
        String name = file.getFileName().toString();
        if (!Files.exists(file)) {
            LOG.warn("routes-reload file={} outcome=ignored reason=file-removed (its routes run until the bridge restarts)",
                    name);
            return;
        }
        String content = settledContent(file);
        String previous = loaded.get(file);
        if (content == null || content.isBlank() || content.equals(tried.get(file))) {
            // Unreadable, emptied for a moment by a save, or the content already tried: nothing to load.
            return;
        }
        tried.put(file, content);
        String location = "file:" + file;
        Map<String, Boolean> before = routesOf(file);
        Model model = getCamelContext().getCamelContextExtension().getContextPlugin(Model.class);
        List<RouteTemplateDefinition> templatesBefore = templatesOf(model, file);
        try {
            // Camel adds a file's templates only when no template has their id: the old ones go first.
            model.removeRouteTemplateDefinitions(templatesBefore);
            Set<String> routeIds = PluginHelper.getRoutesLoader(getCamelContext())
                    .updateRoutes(List.of(ResourceHelper.fromString(location, content)));
            List<String> recreated = recreateTemplatedRoutes(file);
            loaded.put(file, content);
            reloads.incrementAndGet();
            LOG.info("routes-reload file={} routes={} recreated={} outcome=reloaded", name, routeIds, recreated);
        } catch (Exception e) {
            refusals.incrementAndGet();
            LOG.error("routes-reload file={} outcome=refused error={} (the routes loaded before keep running)", name,
                    LogSafe.line(describe(e)));
            restore(file, location, previous, before, templatesBefore);
        }
    }

    /** Puts back the routes of the file's last good content, when the refused edit removed or stopped some. */
    private void restore(Path file, String location, String previous, Map<String, Boolean> before,
                         List<RouteTemplateDefinition> templatesBefore) {
        Model model = getCamelContext().getCamelContextExtension().getContextPlugin(Model.class);
        try {
            // The templates removed for the refused edit come back as they were.
            List<RouteTemplateDefinition> missing = templatesBefore.stream()
                    .filter(template -> model.getRouteTemplateDefinition(template.getId()) == null).toList();
            model.addRouteTemplateDefinitions(missing);
        } catch (Exception e) {
            LOG.error("routes-reload file={} outcome=restore-failed error={}", file.getFileName(),
                    LogSafe.line(describe(e)));
        }
        boolean damaged = before.entrySet().stream().anyMatch(route -> {
            ServiceStatus status = getCamelContext().getRouteController().getRouteStatus(route.getKey());
            return status == null || route.getValue() && !status.isStarted();
        }) || templatedRoutes.get().stream()
                .anyMatch(templated -> getCamelContext().getRoute(templated.routeId()) == null);
        if (!damaged || previous == null) {
            return;
        }
        try {
            PluginHelper.getRoutesLoader(getCamelContext()).updateRoutes(List.of(ResourceHelper.fromString(location,
                    previous)));
            recreateTemplatedRoutes(file);
        } catch (Exception e) {
            LOG.error("routes-reload file={} outcome=restore-failed error={}", file.getFileName(),
                    LogSafe.line(describe(e)));
        }
    }

    /**
     * Creates again the routes made from the templates the file describes (or any missing one): removing a
     * connection's route closes its Gateway socket, and the new route connects at once. A route that was stopped
     * (an account this bridge stands by for) is left stopped.
     */
    private List<String> recreateTemplatedRoutes(Path file) throws Exception {
        Model model = getCamelContext().getCamelContextExtension().getContextPlugin(Model.class);
        Set<String> templates = templatesOf(model, file).stream().map(RouteTemplateDefinition::getId)
                .collect(Collectors.toSet());
        List<String> recreated = new ArrayList<>();
        for (TemplatedRoute templated : templatedRoutes.get()) {
            boolean exists = getCamelContext().getRoute(templated.routeId()) != null;
            if (exists && !templates.contains(templated.templateId())) {
                continue;
            }
            ServiceStatus status = getCamelContext().getRouteController().getRouteStatus(templated.routeId());
            boolean wasStarted = status == null || status.isStarted();
            if (exists) {
                getCamelContext().getRouteController().stopRoute(templated.routeId());
                getCamelContext().removeRoute(templated.routeId());
            }
            model.addRouteFromTemplate(templated.routeId(), templated.templateId(), new LinkedHashMap<>(templated.parameters()));
            if (!wasStarted) {
                getCamelContext().getRouteController().stopRoute(templated.routeId());
            }
            recreated.add(templated.routeId());
        }
        return recreated;
    }

    /** The route templates loaded from the file. */
    private static List<RouteTemplateDefinition> templatesOf(Model model, Path file) {
        return model.getRouteTemplateDefinitions().stream()
                .filter(template -> template.getResource() != null
                                    && file.equals(pathOf(template.getResource().getLocation())))
                .toList();
    }

    /** The routes loaded from the file, and whether each was started. */
    private Map<String, Boolean> routesOf(Path file) {
        Map<String, Boolean> routes = new LinkedHashMap<>();
        for (Route route : getCamelContext().getRoutes()) {
            Resource source = route.getSourceResource();
            if (source != null && file.equals(pathOf(source.getLocation()))) {
                ServiceStatus status = getCamelContext().getRouteController().getRouteStatus(route.getRouteId());
                routes.put(route.getRouteId(), status != null && status.isStarted());
            }
        }
        return routes;
    }

    /** The file a resource location names ({@code file:routes/x.yaml}, {@code file:/abs/x.yaml}), else null. */
    static Path pathOf(String location) {
        if (location == null || !location.startsWith("file:")) {
            return null;
        }
        return Path.of(location.substring("file:".length())).toAbsolutePath().normalize();
    }

    /** The file's content once two reads {@value #SETTLE_MILLIS} ms apart agree, or null if it cannot be read. */
    private static String settledContent(Path file) {
        long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_GIVE_UP_MILLIS);
        try {
            String content = Files.readString(file, StandardCharsets.UTF_8);
            while (System.nanoTime() < giveUp) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS));
                String again = Files.readString(file, StandardCharsets.UTF_8);
                if (Objects.equals(again, content)) {
                    return content;
                }
                content = again;
            }
            return content;
        } catch (IOException e) {
            return null;
        }
    }

    /** The route start failure's one line when it is one, else the innermost cause. */
    private String describe(Exception e) {
        String line = RouteStartFailures.describe(e, getCamelContext());
        if (line != null) {
            return line;
        }
        Throwable root = RouteStartFailures.rootCause(e);
        String message = root.getMessage() == null ? "" : root.getMessage().lines().findFirst().orElse("");
        return root.getClass().getSimpleName() + ": " + message;
    }
}
