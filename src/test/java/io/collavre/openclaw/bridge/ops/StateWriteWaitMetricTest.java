package io.collavre.openclaw.bridge.ops;

import java.nio.file.Path;
import java.util.Map;

import io.collavre.openclaw.bridge.testing.BridgeFixture;
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
    static final String METRIC = "openclaw_bridge_state_write_wait_seconds";

    @TempDir
    Path data;

    BridgeFixture fixture;

    @AfterEach
    void stopAll() {
        if (fixture != null) {
            fixture.close();
        }
    }

    ManagementClient start(String stateStore) throws Exception {
        int managementPort = AvailablePortFinder.getNextAvailable();
        fixture = BridgeFixture.start(Map.of(
                "bridge.data-dir", data.toString(),
                "proactive.state-store", stateStore,
                "bridge.management.port", String.valueOf(managementPort)));
        return new ManagementClient("127.0.0.1", managementPort);
    }

    void completeRuns(int runs) {
        for (int i = 1; i <= runs; i++) {
            fixture.gateway.send(chat("run-" + i, 1, "delta", KEY, "Part of answer " + i));
            fixture.gateway.send(chat("run-" + i, 2, "final", KEY, "All of answer " + i));
        }
        await().atMost(BridgeFixture.WAIT).until(() -> fixture.collavre.posts().size() == runs);
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
