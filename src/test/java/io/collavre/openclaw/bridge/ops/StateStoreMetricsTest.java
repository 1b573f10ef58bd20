package io.collavre.openclaw.bridge.ops;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.collavre.openclaw.bridge.testing.BridgeFixture;
import io.collavre.openclaw.bridge.testing.ManagementClient;
import io.collavre.openclaw.bridge.testing.PostgresServer;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.collavre.openclaw.bridge.testing.GatewaySimulator.chat;
import static io.collavre.openclaw.bridge.testing.ManagementClient.sample;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state stores' meters as an operator scrapes them. openclaw_bridge_state_write_wait_seconds: with the postgresql
 * store every completed run's wait for its dedup claim is timed, in buckets; the in-memory and embedded stores wait
 * for no commit before a post and have no such meter. openclaw_bridge_state_buffer_writes_total: the open buffers a
 * durable store writes behind; a run completed within the checkpoint interval is never written as a buffer; the
 * in-memory store writes none and has no such meter.
 */
class StateStoreMetricsTest {

    static final String KEY = "agent:ai-bot:collavre:42:creative:100";
    static final String METRIC = "openclaw_bridge_state_write_wait_seconds";
    static final String BUFFER_WRITES = "openclaw_bridge_state_buffer_writes_total";

    @TempDir
    Path data;

    BridgeFixture fixture;

    @AfterEach
    void stopAll() {
        if (fixture != null) {
            fixture.close();
        }
    }

    ManagementClient start(Map<String, String> store) throws Exception {
        int managementPort = AvailablePortFinder.getNextAvailable();
        Map<String, String> settings = new HashMap<>(store);
        settings.put("bridge.data-dir", data.toString());
        settings.put("bridge.management.port", String.valueOf(managementPort));
        fixture = BridgeFixture.start(settings);
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
    void withThePostgresqlStoreEachCompletedRunsWaitForItsDedupClaimIsTimedInBuckets() throws Exception {
        try (PostgresServer postgres = PostgresServer.start()) {
            ManagementClient management = start(Map.of(
                    "proactive.state-store", "postgresql",
                    "bridge.db.url", postgres.jdbcUrl(),
                    "bridge.db.user", postgres.user(),
                    "bridge.db.password", postgres.password()));
            completeRuns(3);
            // The wait is recorded before the post, so the posts seen mean the three waits are counted.
            String scraped = management.scrape();
            assertEquals(3, sample(scraped, METRIC + "_count"), scraped);
            assertTrue(sample(scraped, METRIC + "_sum") > 0, "the waits add up to some time");
            assertEquals(3, sample(scraped, METRIC + "_bucket", "le", "5.0"),
                    "every wait under the 5 s bucket: " + scraped);
            fixture.close();
            fixture = null;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "embedded"})
    void aStoreWhoseFirstPostWaitsForNoCommitHasNoSuchMeter(String store) throws Exception {
        ManagementClient management = start(Map.of("proactive.state-store", store));
        completeRuns(1);
        String scraped = management.scrape();
        assertFalse(scraped.contains(METRIC), scraped);
    }

    @Test
    void theEmbeddedStoreCountsTheOpenBuffersItWritesAndNoneForARunCompletedWithinTheInterval() throws Exception {
        ManagementClient management = start(Map.of("proactive.state-store", "embedded",
                "proactive.checkpoint-interval-ms", "10000"));
        fixture.gateway.send(chat("run-quick", 1, "delta", KEY, "Part of the answer"));
        fixture.gateway.send(chat("run-quick", 2, "final", KEY, "The whole answer"));
        await().atMost(BridgeFixture.WAIT).until(() -> fixture.collavre.posts().size() == 1);
        String first = management.scrape();
        assertTrue(first.contains(BUFFER_WRITES + "{"), "registered when the store starts: " + first);
        assertEquals(0, sample(first, BUFFER_WRITES), "completed within the interval: never written");

        fixture.close();
        fixture = null;
        ManagementClient restarted = start(Map.of("proactive.state-store", "embedded",
                "proactive.checkpoint-interval-ms", "200"));
        fixture.gateway.send(chat("run-open", 1, "delta", KEY, "Still streaming"));
        await().atMost(BridgeFixture.WAIT).until(() -> sample(restarted.scrape(), BUFFER_WRITES) >= 1);
        assertTrue(restarted.scrape().contains(BUFFER_WRITES + "{camelContext="), "the context label, as every meter's");
    }

    @Test
    void theInMemoryStoreHasNoBufferWritesMeter() throws Exception {
        ManagementClient management = start(Map.of("proactive.state-store", "memory"));
        completeRuns(1);
        assertFalse(management.scrape().contains(BUFFER_WRITES), "no durable store, no buffer written");
    }
}
