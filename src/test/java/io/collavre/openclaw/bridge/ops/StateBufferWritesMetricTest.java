package io.collavre.openclaw.bridge.ops;

import java.nio.file.Path;
import java.util.HashMap;
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
 * openclaw_bridge_state_buffer_writes_total as an operator scrapes it: the embedded store counts the open buffers it
 * writes behind; a run completed within the checkpoint interval is never written as a buffer; the in-memory store
 * writes none and has no such meter.
 */
class StateBufferWritesMetricTest {

    static final String KEY = "agent:ai-bot:collavre:42:creative:100";
    static final String METRIC = "openclaw_bridge_state_buffer_writes_total";

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

    @Test
    void theEmbeddedStoreCountsTheOpenBuffersItWritesAndNoneForARunCompletedWithinTheInterval() throws Exception {
        ManagementClient management = start(Map.of("proactive.state-store", "embedded",
                "proactive.checkpoint-interval-ms", "10000"));
        fixture.gateway.send(chat("run-quick", 1, "delta", KEY, "Part of the answer"));
        fixture.gateway.send(chat("run-quick", 2, "final", KEY, "The whole answer"));
        await().atMost(BridgeFixture.WAIT).until(() -> fixture.collavre.posts().size() == 1);
        String first = management.scrape();
        assertTrue(first.contains(METRIC + "{"), "registered when the store starts: " + first);
        assertEquals(0, sample(first, METRIC), "completed within the interval: never written");

        fixture.close();
        fixture = null;
        management = start(Map.of("proactive.state-store", "embedded", "proactive.checkpoint-interval-ms", "200"));
        fixture.gateway.send(chat("run-open", 1, "delta", KEY, "Still streaming"));
        ManagementClient scraped = management;
        await().atMost(BridgeFixture.WAIT).until(() -> sample(scraped.scrape(), METRIC) >= 1);
        assertTrue(management.scrape().contains(METRIC + "{camelContext="), "the context label, as every meter's");
    }

    @Test
    void theInMemoryStoreHasNoSuchMeter() throws Exception {
        ManagementClient management = start(Map.of("proactive.state-store", "memory"));
        fixture.gateway.send(chat("run-1", 1, "final", KEY, "The whole answer"));
        await().atMost(BridgeFixture.WAIT).until(() -> fixture.collavre.posts().size() == 1);
        assertFalse(management.scrape().contains(METRIC), "no durable store, no buffer written");
    }
}
