package io.collavre.openclaw.bridge.ops;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.collavre.openclaw.bridge.testing.BridgeRunner;
import io.collavre.openclaw.bridge.testing.CollavreReceiver;
import io.collavre.openclaw.bridge.testing.GatewaySimulator;
import io.collavre.openclaw.bridge.testing.ManagementClient;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.collavre.openclaw.bridge.testing.GatewaySimulator.chat;
import static io.collavre.openclaw.bridge.testing.ManagementClient.sample;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * openclaw_bridge_state_write_wait_seconds as an operator scrapes it: with the embedded store every completed run's
 * wait for its outbox row is timed, in buckets; the in-memory store has nothing to wait for and no such meter.
 */
class StateWriteWaitMetricTest {

    static final String KEY = "agent:ai-bot:collavre:42:creative:100";
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String METRIC = "openclaw_bridge_state_write_wait_seconds";

    @TempDir
    Path data;

    GatewaySimulator gateway;
    CollavreReceiver collavre;
    BridgeRunner bridge;

    @AfterEach
    void stopAll() {
        if (bridge != null) {
            bridge.close();
        }
        if (collavre != null) {
            collavre.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    ManagementClient start(String stateStore) throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        collavre = new CollavreReceiver(AvailablePortFinder.getNextAvailable());
        int managementPort = AvailablePortFinder.getNextAvailable();
        bridge = BridgeRunner.start(Map.of(
                "openclaw.gateway.url", gateway.url(),
                "openclaw.gateway.token", "gw-secret",
                "openclaw.gateway.owner-id", "42",
                "collavre.url", collavre.url(),
                "bridge.data-dir", data.toString(),
                "proactive.state-store", stateStore,
                "bridge.management.port", String.valueOf(managementPort)));
        await().atMost(WAIT).until(() -> gateway.handshakes() == 1);
        return new ManagementClient("127.0.0.1", managementPort);
    }

    void completeRuns(int runs) {
        for (int i = 1; i <= runs; i++) {
            gateway.send(chat("run-" + i, 1, "delta", KEY, "Part of answer " + i));
            gateway.send(chat("run-" + i, 2, "final", KEY, "All of answer " + i));
        }
        await().atMost(WAIT).until(() -> collavre.posts().size() == runs);
    }

    @Test
    void withTheEmbeddedStoreEachCompletedRunsWaitForItsCommitIsTimedInBuckets() throws Exception {
        ManagementClient management = start("embedded");
        completeRuns(3);
        // The wait is recorded before the post, so the posts seen mean the three waits are counted.
        String scraped = management.scrape();
        assertEquals(3, sample(scraped, METRIC + "_count"), scraped);
        assertTrue(sample(scraped, METRIC + "_sum") > 0, "the waits add up to some time");
        assertEquals(3, sample(scraped, METRIC + "_bucket", "le", "5.0"),
                "every wait under the 5 s bucket: " + scraped);
    }

    @Test
    void theInMemoryStoreWaitsForNoCommitAndHasNoSuchMeter() throws Exception {
        ManagementClient management = start("memory");
        completeRuns(1);
        String scraped = management.scrape();
        assertFalse(scraped.contains(METRIC), scraped);
    }
}
