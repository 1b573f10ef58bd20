package io.collavre.openclaw.bridge.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.collavre.openclaw.bridge.chat.RunBufferRepository;
import io.collavre.openclaw.bridge.collavre.DeliveryBacklog;
import io.collavre.openclaw.bridge.dedup.ExpiringRepository;
import org.apache.camel.Route;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.spi.annotations.DevConsole;
import org.apache.camel.support.console.AbstractDevConsole;

/**
 * The developer console page {@code run-state} (management server, {@code /q/dev/run-state}): the routes and their
 * status, the runs this bridge buffers now (the Aggregator's open runs) against the buffer cap, the memory of dispatched runs (the Idempotent
 * Consumer's), and the Collavre delivery's backlog. Run ids are shown as {@link LogSafe} writes them, at most
 * {@value #MAX_LISTED} of them.
 */
@DevConsole(name = "run-state", displayName = "Run state", description = "Open run buffers, dispatched-run memory and the Collavre delivery backlog")
public class RunStateDevConsole extends AbstractDevConsole {

    static final int MAX_LISTED = 100;

    public RunStateDevConsole() {
        super("bridge", "run-state", "Run state", "Open run buffers, dispatched-run memory and the Collavre delivery backlog");
    }

    @Override
    protected String doCallText(Map<String, Object> options) {
        StringBuilder text = new StringBuilder();
        doCallJson(options).forEach((key, value) -> text.append(key).append(": ").append(value).append('\n'));
        return text.toString();
    }

    @Override
    protected Map<String, Object> doCallJson(Map<String, Object> options) {
        Map<String, Object> state = new LinkedHashMap<>();
        // The routes and their status, without JMX (which the bridge leaves off: Camel's route console relies on it).
        Map<String, Object> routes = new LinkedHashMap<>();
        for (Route route : getCamelContext().getRoutes()) {
            routes.put(route.getRouteId(), String.valueOf(getCamelContext().getRouteController()
                    .getRouteStatus(route.getRouteId())));
        }
        state.put("routes", routes);
        RunBufferRepository buffers = bean("runBufferRepository", RunBufferRepository.class);
        if (buffers != null) {
            state.put("openBuffers", buffers.getOpenBuffers());
            state.put("maxOpenBuffers", buffers.getMaxOpenBuffers());
            state.put("recovery", buffers.isUseRecovery());
            List<String> runIds = new ArrayList<>();
            for (String runId : buffers.openRunIds()) {
                if (runIds.size() == MAX_LISTED) {
                    break;
                }
                runIds.add(LogSafe.value(runId));
            }
            state.put("openRunIds", runIds);
        }
        IdempotentRepository dispatched = bean("dispatchedRuns", IdempotentRepository.class);
        if (dispatched != null) {
            state.put("dispatchedRunsRepository", dispatched.getClass().getSimpleName());
            if (dispatched instanceof ExpiringRepository expiring) {
                state.put("dispatchedRunsRemembered", expiring.getSize());
            }
        }
        DeliveryBacklog backlog = bean("collavreBacklog", DeliveryBacklog.class);
        if (backlog != null) {
            state.put("collavreWaitingRuns", backlog.getWaitingRuns());
            state.put("collavreMaxWaitingRuns", backlog.getMaxWaitingRuns());
            state.put("collavrePostThreadsActive", backlog.getActiveCount());
        }
        return state;
    }

    private <T> T bean(String name, Class<T> type) {
        return getCamelContext().getRegistry().lookupByNameAndType(name, type);
    }
}
