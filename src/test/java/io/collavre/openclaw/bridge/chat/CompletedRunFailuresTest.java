package io.collavre.openclaw.bridge.chat;

import java.time.Instant;
import java.util.List;

import io.collavre.openclaw.bridge.testing.CapturedLogs;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CompletedRunFailuresTest {

    private final DefaultCamelContext context = new DefaultCamelContext();

    private Exchange completedRun(String runId) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(new RunBuffer(runId, "42", "agent:a:collavre:42:creative:7", Instant.EPOCH, 100));
        exchange.getMessage().setHeader("account", "acct-1");
        return exchange;
    }

    @Test
    void aRunTheStoreKeepsIsAWarningThatItIsHandedOverAgain() {
        try (CapturedLogs logs = CapturedLogs.warnings()) {
            new CompletedRunFailures(true).handleException("Error processing aggregated exchange", completedRun("r-1"),
                    new IllegalStateException("database down"));

            assertEquals(List.of("WARN runId=r-1 account=acct-1 state=final outcome=dispatch-failed"
                                 + " recovery=handed-over-again-by-the-run-store error=IllegalStateException: database down"),
                    logs.lines());
        }
    }

    @Test
    void aRunTheStoreDoesNotKeepIsAnErrorThatItIsLost() {
        try (CapturedLogs logs = CapturedLogs.warnings()) {
            new CompletedRunFailures(false).handleException("Error processing aggregated exchange", completedRun("r-2"),
                    new IllegalStateException("boom"));

            assertEquals(List.of("ERROR runId=r-2 account=acct-1 state=final outcome=lost reason=dispatch-failed"
                                 + " error=IllegalStateException: boom"), logs.lines());
        }
    }

    @Test
    void theDispatchRoutesRunIdPropertyComesFirstAndOtherBodiesAreNotConverted() {
        Exchange dispatched = completedRun("r-3");
        dispatched.setProperty("runId", "r-3-property");
        Exchange delivering = completedRun("r-4");
        delivering.getMessage().setBody("{\"content\":\"a user's message\"}");

        assertEquals("r-3-property", CompletedRunFailures.runId(dispatched));
        assertEquals("r-4", CompletedRunFailures.runId(completedRun("r-4")));
        assertNull(CompletedRunFailures.runId(delivering));
        assertNull(CompletedRunFailures.runId(null));
    }

    @Test
    void withoutAnExceptionTheMessageIsTheError() {
        try (CapturedLogs logs = CapturedLogs.warnings()) {
            new CompletedRunFailures(false).handleException("Failed to move recovered Exchange", null);

            assertEquals(List.of("ERROR runId=null account=null state=final outcome=lost reason=dispatch-failed"
                                 + " error=Failed to move recovered Exchange"), logs.lines());
        }
    }
}
