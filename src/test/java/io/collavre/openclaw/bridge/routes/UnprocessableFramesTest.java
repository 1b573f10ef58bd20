package io.collavre.openclaw.bridge.routes;

import java.util.List;
import java.util.Map;

import io.collavre.openclaw.bridge.testing.BridgeFixture;
import io.collavre.openclaw.bridge.testing.CapturedLogs;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.model.ProcessDefinition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.collavre.openclaw.bridge.testing.GatewaySimulator.chat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A step that fails on a frame, in any route the frame goes through, costs that frame only: one WARN line from
 * the Gateway connection route's drop-unprocessable-frames, no second report from the failing route, and the
 * connection and the other runs carry on. The failure is injected with AdviceWith at the start of each route a chat
 * event goes through on the Gateway reader's thread.
 */
class UnprocessableFramesTest {

    static final String KEY = "agent:ai-bot:collavre:42:creative:100";

    private BridgeFixture fixture;
    private CapturedLogs logged;

    @BeforeEach
    void start() throws Exception {
        logged = CapturedLogs.warnings();
        fixture = BridgeFixture.start(Map.of());
    }

    @AfterEach
    void stop() {
        fixture.close();
        logged.close();
    }

    @ParameterizedTest(name = "failure in {0}")
    @ValueSource(strings = {"proactive-chat-events", "chat-state-router", "run-buffer", "run-buffer-aggregate"})
    void aFailingStepDropsItsFrameWithOneLogLineAndTheOtherRunsCarryOn(String routeId) throws Exception {
        AdviceWith.adviceWith(fixture.context(), routeId, route ->
                // The admission route's first step reads the runId header the failure is injected on.
                (routeId.equals("proactive-chat-events") ? route.weaveByType(ProcessDefinition.class).selectFirst().after()
                        : route.weaveAddFirst()).process(exchange -> {
                    if ("run-boom".equals(exchange.getMessage().getHeader("runId"))) {
                        throw new IllegalStateException("injected failure");
                    }
                }));
        fixture.sendCompleting(1,
                chat("run-boom", 1, "delta", KEY, "Never"),
                chat("run-ok", 1, "delta", KEY, "Still"),
                chat("run-ok", 2, "final", KEY, "Still here"));

        assertEquals("Still here", fixture.collavre.awaitPost(BridgeFixture.WAIT).json().getString("content"));
        List<String> warnings = logged.lines();
        List<String> aboutTheFailure = warnings.stream().filter(w -> w.contains("run-boom") || w.contains("injected failure")).toList();
        assertEquals(1, aboutTheFailure.size(), "one line about the failure: " + warnings);
        assertTrue(aboutTheFailure.get(0).startsWith("WARN ") && aboutTheFailure.get(0).contains("runId=run-boom")
                   && aboutTheFailure.get(0).contains("frame=unprocessable")
                   && aboutTheFailure.get(0).contains("IllegalStateException: injected failure"), aboutTheFailure.get(0));
        assertTrue(warnings.stream().noneMatch(w -> w.startsWith("ERROR")), "nothing logged as an error: " + warnings);
        assertEquals(0, fixture.openBuffers(), "the failed delta opened no buffer");
    }
}
