package io.collavre.openclaw.bridge.ops;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.collavre.openclaw.bridge.demo.DemoScenario;
import io.collavre.openclaw.bridge.demo.DemoScenario.Step;
import io.collavre.openclaw.bridge.testing.BridgeRunner;
import io.collavre.openclaw.bridge.testing.CollavreReceiver;
import io.collavre.openclaw.bridge.testing.FramesProcessed;
import io.collavre.openclaw.bridge.testing.GatewaySimulator;
import io.collavre.openclaw.bridge.testing.ManagementClient;
import io.vertx.core.json.JsonObject;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.collavre.openclaw.bridge.testing.ManagementClient.check;
import static io.collavre.openclaw.bridge.testing.ManagementClient.sample;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The management HTTP server as an operator sees it: readiness follows the Gateway connection, liveness the Camel
 * context, and the Prometheus metrics count what the routes decide. Real Gateway simulator, real Collavre
 * receiver, real routes, real HTTP.
 */
class ManagementEndpointTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final int BUFFER_TTL_SECONDS = 3;

    static GatewaySimulator gateway;
    static CollavreReceiver collavre;
    static BridgeRunner bridge;
    static FramesProcessed frames;
    static ManagementClient management;
    static int managementPort;

    @BeforeAll
    static void startAll() throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        collavre = new CollavreReceiver(AvailablePortFinder.getNextAvailable());
        managementPort = AvailablePortFinder.getNextAvailable();
        bridge = BridgeRunner.start(Map.of(
                "openclaw.gateway.url", gateway.url(),
                "openclaw.gateway.token", "gw-secret",
                "openclaw.gateway.owner-id", DemoScenario.OWNER_ID,
                "openclaw.gateway.reconnect-base-delay-ms", "100",
                "openclaw.gateway.reconnect-max-delay-ms", "300",
                "collavre.url", collavre.url(),
                "proactive.buffer-ttl-seconds", String.valueOf(BUFFER_TTL_SECONDS),
                "proactive.sweep-interval-seconds", "1",
                "bridge.management.port", String.valueOf(managementPort)));
        frames = FramesProcessed.install(bridge.context(), "gateway-connection-default");
        management = new ManagementClient("127.0.0.1", managementPort);
    }

    @AfterAll
    static void stopAll() {
        bridge.close();
        collavre.close();
        gateway.close();
    }

    @BeforeEach
    void awaitReady() {
        await().atMost(WAIT).until(() -> management.readiness().status() == 200);
    }

    @Test
    void readinessGoesDownWhileTheGatewayIsAwayAndUpWhenItIsBack() throws Exception {
        JsonObject ready = management.readiness().json();
        assertEquals("UP", ready.getString("status"));
        JsonObject connections = check(ready, GatewayConnectionsHealthCheck.ID);
        assertEquals("UP", connections.getString("status"));
        assertEquals("CONNECTED", connections.getJsonObject("data").getString("account.default.state"));
        assertEquals("UP", check(ready, "route:collavre-dispatch").getString("status"), "routes are part of readiness");

        gateway.stop();
        await().atMost(WAIT).until(() -> management.readiness().status() == 503);
        JsonObject down = management.readiness().json();
        assertEquals("DOWN", down.getString("status"));
        JsonObject away = check(down, GatewayConnectionsHealthCheck.ID);
        assertEquals("DOWN", away.getString("status"));
        assertEquals("RECONNECTING", away.getJsonObject("data").getString("account.default.state"));
        assertTrue(away.getString("message").contains("default=RECONNECTING"), away.encode());
        assertEquals(200, management.liveness().status(), "the context is alive: no restart for a Gateway outage");

        gateway.start();
        await().atMost(WAIT).until(() -> management.readiness().status() == 200);
        JsonObject back = check(management.readiness().json(), GatewayConnectionsHealthCheck.ID);
        assertEquals("CONNECTED", back.getJsonObject("data").getString("account.default.state"));
        assertEquals("0", String.valueOf(back.getJsonObject("data").getValue("account.default.failedAttempts")),
                "attempts reset after a successful handshake");
    }

    @Test
    void livenessReflectsTheCamelContext() throws Exception {
        JsonObject live = management.liveness().json();
        assertEquals("UP", live.getString("status"));
        assertEquals("UP", check(live, "context").getString("status"));
    }

    @Test
    void metricsCountTheDemoStream() throws Exception {
        String before = management.scrape();
        for (Step step : DemoScenario.steps()) {
            NotifyBuilder decided = new NotifyBuilder(bridge.context()).whenDone(1)
                    .wereSentTo("direct:collavre-dispatch").create();
            frames.reset();
            gateway.send(step.frame());
            frames.await(1, WAIT);
            if (step.completes()) {
                assertTrue(decided.matches(WAIT.toMillis(), TimeUnit.MILLISECONDS), step.note());
            }
        }
        // The last frame is the malformed one; a run's completion finishing on the delivery thread can count as the
        // Gateway route's exchange and release the wait for it early, so its count is awaited before the scrape.
        double malformedBefore = sample(before, "openclaw_bridge_frames_dropped_total", "reason", "malformed");
        await().atMost(WAIT).until(() -> sample(management.scrape(), "openclaw_bridge_frames_dropped_total", "reason",
                "malformed") > malformedBefore);
        String after = management.scrape();

        assertMoved(before, after, 7, "openclaw_bridge_events_total", "state", "delta");
        assertMoved(before, after, 4, "openclaw_bridge_events_total", "state", "final");
        assertMoved(before, after, 1, "openclaw_bridge_events_total", "state", "error");
        assertMoved(before, after, 1, "openclaw_bridge_events_total", "state", "aborted");
        assertMoved(before, after, 1, "openclaw_bridge_frames_dropped_total", "reason", "duplicate-frame");
        assertMoved(before, after, 1, "openclaw_bridge_frames_dropped_total", "reason", "malformed");
        assertMoved(before, after, 2, "openclaw_bridge_runs_total", "outcome", "dispatched");
        assertMoved(before, after, 1, "openclaw_bridge_runs_total", "outcome", "suppressed");
        assertMoved(before, after, 1, "openclaw_bridge_runs_total", "reason", "no-creative");
        assertMoved(before, after, 2, "openclaw_bridge_collavre_post_seconds_count");
        assertTrue(sample(after, "openclaw_bridge_collavre_post_seconds_sum") > sample(before,
                "openclaw_bridge_collavre_post_seconds_sum"), "post latency recorded");
        assertTrue(after.contains("account=\"default\""), "counters are per account");
        assertFalse(after.contains("camel_exchanges_total") || after.contains("camel_routes_"),
                "Camel's route and exchange meters are off (their cost per event)");
    }

    @Test
    void theDeveloperConsoleShowsTheRoutesAndTheRunState() throws Exception {
        frames.reset();
        gateway.sendChat("run-on-the-console", 1, "delta", DemoScenario.STANDUP_KEY, "Looking at");
        frames.await(1, WAIT);
        try {

        ManagementClient.Response runState = management.get("/q/dev/run-state", "application/json");
        assertEquals(200, runState.status(), runState.body());
        JsonObject state = runState.json().getJsonObject("run-state");
        assertEquals(1, state.getInteger("openBuffers"), state.encode());
        assertEquals(5000, state.getInteger("maxOpenBuffers"));
        assertTrue(state.getJsonArray("openRunIds").contains("run-on-the-console"), state.encode());
        assertEquals("ExpiringIdempotentRepository", state.getString("dispatchedRunsRepository"));
        assertTrue(state.containsKey("dispatchedRunsRemembered") && state.containsKey("collavreWaitingRuns"));

        JsonObject routes = state.getJsonObject("routes");
        assertEquals("Started", routes.getString("collavre-dispatch"), routes.encode());
        assertEquals("Started", routes.getString("gateway-handshake-default"), routes.encode());
        } finally {
            frames.reset();
            gateway.sendChat("run-on-the-console", 2, "aborted", DemoScenario.STANDUP_KEY, null);
            frames.await(1, WAIT);
        }
    }

    @Test
    void aChatFrameWhosePayloadIsNotAnObjectIsCountedAsDropped() throws Exception {
        String before = management.scrape();
        frames.reset();
        gateway.send("{\"type\":\"event\",\"event\":\"chat\",\"payload\":\"not an object\"}");
        frames.await(1, WAIT);
        assertMoved(before, management.scrape(), 1, "openclaw_bridge_frames_dropped_total", "reason",
                "payload-not-an-object");
    }

    @Test
    void openBuffersGaugeFollowsTheAggregatorAndPurgedBuffersAreCounted() throws Exception {
        double purgedBefore = sample(management.scrape(), "openclaw_bridge_buffers_purged_total");
        assertEquals(0, sample(management.scrape(), "openclaw_bridge_buffers_open"));

        frames.reset();
        gateway.sendChat("run-never-finished", 1, "delta", DemoScenario.STANDUP_KEY, "Thinking about");
        frames.await(1, WAIT);
        assertEquals(1, sample(management.scrape(), "openclaw_bridge_buffers_open"));

        // No final ever comes: the buffer is purged after the TTL, not dispatched.
        await().atMost(WAIT).until(() -> sample(management.scrape(), "openclaw_bridge_buffers_open") == 0);
        await().atMost(WAIT).until(() ->
                sample(management.scrape(), "openclaw_bridge_buffers_purged_total") == purgedBefore + 1);
        assertTrue(collavre.postsFor("run-never-finished").isEmpty());
    }

    @Test
    void managementServerListensOnTheLoopbackInterfaceOnly() throws Exception {
        Optional<InetAddress> external = NetworkInterface.networkInterfaces()
                .filter(i -> {
                    try {
                        return i.isUp() && !i.isLoopback();
                    } catch (java.net.SocketException e) {
                        return false;
                    }
                })
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                .findFirst();
        assumeTrue(external.isPresent(), "this machine has no other interface to try");
        try (Socket loopback = new Socket()) {
            loopback.connect(new InetSocketAddress("127.0.0.1", managementPort), 2000);
        }
        assertThrows(java.io.IOException.class, () -> {
            try (Socket other = new Socket()) {
                other.connect(new InetSocketAddress(external.get(), managementPort), 2000);
            }
        });
    }

    static void assertMoved(String before, String after, double by, String name, String... labels) {
        assertEquals(by, sample(after, name, labels) - sample(before, name, labels), name + " " + String.join("=", labels));
    }
}
