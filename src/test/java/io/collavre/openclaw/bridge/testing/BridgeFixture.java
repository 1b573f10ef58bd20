package io.collavre.openclaw.bridge.testing;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.processor.aggregate.AggregateProcessor;
import org.apache.camel.test.AvailablePortFinder;

import static org.awaitility.Awaitility.await;

/**
 * One bridge (account {@code default}, owner 42) between a Gateway simulator and a Collavre receiver, with the
 * helpers route tests share: send frames and wait until they were processed, or until the runs they complete
 * were decided; look into the run buffers.
 */
public final class BridgeFixture implements AutoCloseable {

    public static final String OWNER_ID = "42";
    public static final String GATEWAY_TOKEN = "gw-secret";
    public static final Duration WAIT = Duration.ofSeconds(20);

    public final GatewaySimulator gateway;
    public final CollavreReceiver collavre;
    public final BridgeRunner bridge;
    public final FramesProcessed frames;

    private BridgeFixture(GatewaySimulator gateway, CollavreReceiver collavre, BridgeRunner bridge) {
        this.gateway = gateway;
        this.collavre = collavre;
        this.bridge = bridge;
        this.frames = FramesProcessed.install(bridge.context(), "gateway-connection-default");
    }

    /** Starts all three, the given settings over the fixture's own, and waits for the handshake. */
    public static BridgeFixture start(Map<String, String> settings) throws Exception {
        GatewaySimulator gateway = new GatewaySimulator(GatewaySimulator.freePort(), GATEWAY_TOKEN).start();
        CollavreReceiver collavre = new CollavreReceiver(AvailablePortFinder.getNextAvailable());
        Map<String, String> all = new HashMap<>(Map.of(
                "openclaw.gateway.url", gateway.url(),
                "openclaw.gateway.token", GATEWAY_TOKEN,
                "openclaw.gateway.owner-id", OWNER_ID,
                "collavre.url", collavre.url()));
        all.putAll(settings);
        BridgeFixture fixture = new BridgeFixture(gateway, collavre, BridgeRunner.start(all));
        await().atMost(WAIT).until(() -> gateway.handshakes() == 1);
        return fixture;
    }

    public CamelContext context() {
        return bridge.context();
    }

    /** Sends frames and waits until the Gateway route has processed all of them. */
    public void send(String... sent) throws InterruptedException {
        send(List.of(sent));
    }

    public void send(List<String> sent) throws InterruptedException {
        frames.reset();
        sent.forEach(gateway::send);
        frames.await(sent.size(), WAIT);
    }

    /** Sends frames that complete {@code runs} runs, and waits until their dispatch decisions are made. */
    public void sendCompleting(int runs, String... sent) throws InterruptedException {
        sendCompleting(runs, List.of(sent));
    }

    public void sendCompleting(int runs, List<String> sent) throws InterruptedException {
        NotifyBuilder decided = new NotifyBuilder(context()).whenDone(runs)
                .wereSentTo("direct:collavre-dispatch").create();
        send(sent);
        if (!decided.matches(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(runs + " dispatch decisions not made within " + WAIT);
        }
    }

    public boolean isBuffered(String runId) {
        return aggregator().getAggregationRepository().getKeys().contains(runId);
    }

    public int openBuffers() {
        return aggregator().getAggregationRepository().getKeys().size();
    }

    private AggregateProcessor aggregator() {
        return context().getProcessor("run-buffers", AggregateProcessor.class);
    }

    @Override
    public void close() {
        bridge.close();
        collavre.close();
        gateway.close();
    }
}
