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
 * openclaw_bridge_state_write_wait_seconds as an operator scrapes it: with the postgresql store every completed run's
 * wait for its dedup claim is timed, in buckets; the in-memory and embedded stores wait for no commit before a post
 * and have no such meter.
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
}
