package io.collavre.openclaw.bridge.websocket;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import io.collavre.openclaw.bridge.testing.RawWebsocketServer;
import io.vertx.core.http.ServerWebSocket;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A connection whose frames wait for a busy route for longer than the idle timeout is not taken for dead when the
 * bridge catches up: the silence was the bridge's, not the Gateway's. Against a real Vert.x WebSocket server.
 */
class HeldBackConnectionTest extends CamelTestSupport {

    static final long IDLE_TIMEOUT_MS = 1000;

    final int port = AvailablePortFinder.getNextAvailable();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicReference<ServerWebSocket> socket = new AtomicReference<>();
    final List<String> received = new CopyOnWriteArrayList<>();
    final CountDownLatch routeReleased = new CountDownLatch(1);
    RawWebsocketServer server;
    ReconnectingWebsocketComponent component;

    @BeforeEach
    void startServer() throws Exception {
        server = new RawWebsocketServer(port, ws -> {
            connections.incrementAndGet();
            socket.set(ws);
        });
    }

    @AfterEach
    void stopServer() throws Exception {
        routeReleased.countDown();
        server.close();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        component = new ReconnectingWebsocketComponent();
        component.setIdleTimeout(IDLE_TIMEOUT_MS);
        // The route never answers the Gateway handshake: keep the connection through the test.
        component.setHandshakeTimeout(60_000);
        context.getShutdownStrategy().setTimeout(1);
        context.addComponent("reconnecting-websocket", component);
        return context;
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("reconnecting-websocket:ws://127.0.0.1:" + port + "/held?account=held").routeId("held")
                        .process(exchange -> {
                            routeReleased.await();
                            received.add(exchange.getMessage().getBody(String.class));
                        });
            }
        };
    }

    @Test
    void aConnectionHeldBackLongerThanTheIdleTimeoutIsNotTakenForDeadOnceReleased() throws Exception {
        await().atMost(10, TimeUnit.SECONDS).until(() -> socket.get() != null);
        // Fewer than the budget: all read at once, then waiting for the busy route; the Gateway sends no more.
        List<String> frames = IntStream.range(0, 5).mapToObj(i -> String.format("frame-%03d-", i) + "x".repeat(90))
                .toList();
        frames.forEach(socket.get()::writeTextMessage);
        await().atMost(10, TimeUnit.SECONDS).until(() -> component.getPendingChars() == 5 * 100);

        // Held back for twice the idle timeout: the Gateway waits for the bridge.
        await().during(Duration.ofMillis(2 * IDLE_TIMEOUT_MS)).atMost(Duration.ofSeconds(5))
                .until(() -> connections.get() == 1);
        routeReleased.countDown();
        await().atMost(10, TimeUnit.SECONDS).until(() -> received.size() == frames.size());
        assertEquals(frames, received);

        // The Gateway ticks again from 400 ms after the release, within the idle timeout of the bridge's reading.
        ServerWebSocket ws = socket.get();
        ScheduledExecutorService gateway = Executors.newSingleThreadScheduledExecutor();
        try {
            gateway.scheduleAtFixedRate(() -> ws.writeTextMessage("tick"), 400, 200, TimeUnit.MILLISECONDS);
            await().during(Duration.ofMillis(3 * IDLE_TIMEOUT_MS / 2)).atMost(Duration.ofSeconds(5))
                    .until(() -> connections.get() == 1);
        } finally {
            gateway.shutdownNow();
        }
    }
}
