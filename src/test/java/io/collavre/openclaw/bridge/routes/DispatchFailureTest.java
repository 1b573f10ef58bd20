package io.collavre.openclaw.bridge.routes;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.collavre.openclaw.bridge.chat.RunBuffer;
import io.collavre.openclaw.bridge.testing.BridgeFixture;
import io.collavre.openclaw.bridge.testing.CapturedLogs;
import org.apache.camel.builder.AdviceWith;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.collavre.openclaw.bridge.testing.GatewaySimulator.chat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A step that fails on a completed run, in the dispatch decision on the Aggregator's thread, is reported once, by
 * runId: as lost (ERROR) with the in-memory run store, as handed over again (WARN) with a persistent one, whose
 * recovery then delivers the run. The other runs go on.
 */
class DispatchFailureTest {

    static final String KEY = "agent:ai-bot:collavre:42:creative:100";

    @TempDir
    Path stateDir;

    private BridgeFixture fixture;
    private final CountDownLatch reported = new CountDownLatch(1);
    private CapturedLogs logged;

    @BeforeEach
    void captureWarnings() {
        logged = CapturedLogs.warnings(event -> {
            String line = CapturedLogs.line(event);
            if (line.contains("outcome=lost") || line.contains("outcome=dispatch-failed")) {
                reported.countDown();
            }
        });
    }

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
        logged.close();
    }

    private List<LogEvent> aboutTheFailure() {
        return logged.events().stream().filter(e -> CapturedLogs.line(e).matches("(?s).*(run-boom|injected failure).*")).toList();
    }

    private List<LogEvent> errors() {
        return logged.events().stream().filter(e -> e.getLevel() == Level.ERROR).toList();
    }

    @Test
    void inMemoryTheFailedRunIsReportedOnceAsLostAndTheOtherRunsGoOn() throws Exception {
        fixture = BridgeFixture.start(Map.of());
        failDispatchOf("run-boom", new AtomicBoolean(true));

        fixture.sendCompleting(2,
                chat("run-boom", 1, "delta", KEY, "Never"),
                chat("run-boom", 2, "final", KEY, "Never posted"),
                chat("run-ok", 1, "delta", KEY, "Still"),
                chat("run-ok", 2, "final", KEY, "Still here"));

        assertEquals("Still here", fixture.collavre.awaitPost(BridgeFixture.WAIT).json().getString("content"));
        assertTrue(reported.await(BridgeFixture.WAIT.toMillis(), TimeUnit.MILLISECONDS), "reported: " + logged.lines());
        List<LogEvent> aboutTheFailure = aboutTheFailure();
        assertEquals(1, aboutTheFailure.size(), "one report of the failure: " + logged.lines());
        LogEvent report = aboutTheFailure.get(0);
        assertEquals(Level.ERROR, report.getLevel());
        assertEquals("runId=run-boom account=default state=final outcome=lost reason=dispatch-failed"
                     + " error=IllegalStateException: injected failure", report.getMessage().getFormattedMessage());
        assertEquals(List.of(report), errors(), "no other error");
        assertEquals(List.of(), fixture.collavre.postsFor("run-boom"));
    }

    @Test
    void withAPersistentStoreTheFailedRunIsReportedOnceAndDeliveredByTheRecovery() throws Exception {
        fixture = BridgeFixture.start(Map.of(
                "proactive.state-store", "embedded",
                "proactive.state-dir", stateDir.toString(),
                "proactive.recovery-interval-ms", "200"));
        failDispatchOf("run-boom", new AtomicBoolean(false));

        fixture.sendCompleting(1,
                chat("run-boom", 1, "delta", KEY, "Posted"),
                chat("run-boom", 2, "final", KEY, "Posted after all"));

        await().atMost(BridgeFixture.WAIT).until(() -> fixture.collavre.acceptedFor("run-boom").size() == 1);
        assertEquals("Posted after all", fixture.collavre.acceptedFor("run-boom").get(0).json().getString("content"));
        assertTrue(reported.await(BridgeFixture.WAIT.toMillis(), TimeUnit.MILLISECONDS), "reported: " + logged.lines());
        assertEquals(1, logged.lines().stream().filter(l -> l.contains("injected failure")).count(),
                "one report of the failure: " + logged.lines());
        LogEvent report = aboutTheFailure().get(0);
        assertEquals(Level.WARN, report.getLevel());
        assertEquals("runId=run-boom account=default state=final outcome=dispatch-failed"
                     + " recovery=handed-over-again-by-the-run-store error=IllegalStateException: injected failure",
                report.getMessage().getFormattedMessage());
        assertEquals(List.of(), errors(), "nothing logged as an error");
    }

    /** Fails the dispatch of that run: every time when {@code always}, else its first attempt only. */
    private void failDispatchOf(String runId, AtomicBoolean always) throws Exception {
        AtomicBoolean failed = new AtomicBoolean();
        AdviceWith.adviceWith(fixture.context(), "collavre-dispatch", route -> route.weaveAddFirst().process(exchange -> {
            if (runId.equals(exchange.getMessage().getBody(RunBuffer.class).getRunId())
                && (always.get() || failed.compareAndSet(false, true))) {
                throw new IllegalStateException("injected failure");
            }
        }));
    }
}
