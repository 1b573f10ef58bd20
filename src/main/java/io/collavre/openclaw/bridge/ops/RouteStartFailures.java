package io.collavre.openclaw.bridge.ops;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One clear line when the bridge cannot start because of a route: which route, which file and line (Camel Main's
 * {@code camel.main.source-location-enabled}), which step, and the innermost cause, for example a bean or method
 * name that does not exist. Camel's own report is a long exception with the whole route printed in it.
 */
public final class RouteStartFailures {

    private static final Logger LOG = LoggerFactory.getLogger(RouteStartFailures.class);
    /** Camel's FailedToCreateRouteException names the step between these marks. */
    private static final Pattern STEP = Pattern.compile(">>> (.*?) <<<");
    private static final int MAX_STEP_CHARS = 120;

    private RouteStartFailures() {
    }

    /** Logs the one line for a start failure that comes from a route; other failures are left to Camel's report. */
    public static void report(Throwable failure, CamelContext context) {
        String line = describe(failure, context);
        if (line != null) {
            LOG.error(line);
        }
    }

    /** The one-line description of a route that failed to start, or null when the failure is not a route's. */
    public static String describe(Throwable failure, CamelContext context) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof FailedToCreateRouteException created) {
                String step = step(created.getMessage());
                return line(created.getRouteId(), location(context, created.getRouteId(), step, created.getLocation()),
                        step, failure);
            }
            if (t instanceof FailedToStartRouteException started) {
                return line(started.getRouteId(), location(context, started.getRouteId(), null, started.getLocation()),
                        null, failure);
            }
        }
        return null;
    }

    /** file:line of the step in the route's model (lines are kept with camel.main.source-location-enabled). */
    private static String location(CamelContext context, String routeId, String step, String known) {
        if (known != null && !known.isBlank()) {
            return known;
        }
        Model model = context == null ? null : context.getCamelContextExtension().getContextPlugin(Model.class);
        RouteDefinition route = model == null || routeId == null ? null : model.getRouteDefinition(routeId);
        if (route == null) {
            return null;
        }
        String file = route.getResource() == null ? route.getLocation() : route.getResource().getLocation();
        if (step != null) {
            for (ProcessorDefinition<?> node : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(),
                    ProcessorDefinition.class)) {
                if (step.equals(node.toString()) && node.getLineNumber() > 0) {
                    return file + ":" + node.getLineNumber();
                }
            }
        }
        return file;
    }

    /** The innermost cause of a failure (the failure itself when it has none). */
    static Throwable rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String line(String routeId, String location, String step, Throwable failure) {
        Throwable root = rootCause(failure);
        return "route=" + routeId
               + " source=" + (location == null || location.isBlank() ? "unknown" : location)
               + (step == null ? "" : " step=" + head(step))
               + " outcome=start-failed error=" + LogSafe.value(String.valueOf(root.getMessage()));
    }

    /** A step is named by its head: a choice's toString holds every branch, a line would not. */
    private static String head(String step) {
        return step.length() <= MAX_STEP_CHARS ? step : step.substring(0, MAX_STEP_CHARS) + "...";
    }

    private static String step(String message) {
        Matcher m = message == null ? null : STEP.matcher(message);
        return m != null && m.find() ? m.group(1) : null;
    }
}
