package io.collavre.openclaw.bridge.chat;

import io.collavre.openclaw.bridge.BridgeHeaders;
import io.collavre.openclaw.bridge.collavre.DeliveryBacklog.DeliveryBacklogFull;
import io.collavre.openclaw.bridge.ops.LogSafe;
import org.apache.camel.Exchange;
import org.apache.camel.spi.ExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports a completed run whose processing failed after the Aggregator released it (the dispatch decision, or a
 * failure the delivery's dead letter channel could not take), in place of the Aggregator's generic line: one
 * {@code key=value} line with the runId. WARN when the run store keeps the run for its recovery task, which hands it
 * over again; ERROR when it does not (the in-memory store), because then the run is lost.
 */
public final class CompletedRunFailures implements ExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger("run-buffer-aggregate");

    private final boolean recovered;

    /** @param recovered whether the run store hands a failed completed run over again (its recovery is on) */
    public CompletedRunFailures(boolean recovered) {
        this.recovered = recovered;
    }

    @Override
    public void handleException(Throwable exception) {
        handleException(null, null, exception);
    }

    @Override
    public void handleException(String message, Throwable exception) {
        handleException(message, null, exception);
    }

    @Override
    public void handleException(String message, Exchange exchange, Throwable exception) {
        String runId = LogSafe.value(runId(exchange));
        String account = exchange == null ? null : exchange.getMessage().getHeader(BridgeHeaders.ACCOUNT, String.class);
        String error = LogSafe.value(exception == null ? message
                : exception.getClass().getSimpleName() + ": " + exception.getMessage());
        // One line, like the frames' drop-unprocessable-frames; the stack trace at DEBUG.
        if (recovered && exception instanceof DeliveryBacklogFull) {
            // Not a failure: the run waits in the state store until the delivery backlog has room again.
            LOG.debug("runId={} account={} state=final outcome=waiting-in-store reason=delivery-backlog-full", runId,
                    account);
            return;
        }
        if (recovered) {
            LOG.warn("runId={} account={} state=final outcome=dispatch-failed recovery=handed-over-again-by-the-run-store error={}",
                    runId, account, error);
        } else {
            LOG.error("runId={} account={} state=final outcome=lost reason=dispatch-failed error={}", runId, account, error);
        }
        LOG.debug("runId={} dispatch failure", runId, exception);
    }

    /** The dispatch route's runId property, else the buffer's own; never a conversion of whatever the body became. */
    static String runId(Exchange exchange) {
        if (exchange == null) {
            return null;
        }
        String runId = exchange.getProperty(BridgeHeaders.RUN_ID, String.class);
        if (runId == null && exchange.getMessage().getBody() instanceof RunBuffer buffer) {
            runId = buffer.getRunId();
        }
        return runId;
    }
}
