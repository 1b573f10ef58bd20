package io.collavre.openclaw.bridge.websocket;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The frames waiting for the routes are bounded over all connections together: once one slow account has used up
 * the budget, another account's connection stops reading too, and both carry on, in order, once the slow one
 * catches up. Against a real Vert.x WebSocket server, two accounts on one component.
 */
class PendingFramesBudgetTest extends CamelTestSupport {

    static final int BUDGET = 1000;
    static final String FRAME = "x".repeat(99);

    final int port = AvailablePortFinder.getNextAvailable();
    final Map<String, ServerWebSocket> sockets = new ConcurrentHashMap<>();
    final List<String> receivedSlow = new CopyOnWriteArrayList<>();
    final List<String> receivedFast = new CopyOnWriteArrayList<>();
    final CountDownLatch slowRouteReleased = new CountDownLatch(1);
    RawWebsocketServer server;
    ReconnectingWebsocketComponent component;

    @BeforeEach
    void startServer() throws Exception {
        server = new RawWebsocketServer(port, ws -> sockets.put(ws.path(), ws));
    }

    @AfterEach
    void stopServer() throws Exception {
        slowRouteReleased.countDown();
        server.close();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        component = new ReconnectingWebsocketComponent();
        component.setMaxPendingChars(BUDGET);
        // The routes here never answer the Gateway handshake: keep the connections through the test.
        component.setHandshakeTimeout(60_000);
        // Stopping a route does not wait long for the slow route's blocked exchange.
        context.getShutdownStrategy().setTimeout(1);
        context.addComponent("reconnecting-websocket", component);
        return context;
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("reconnecting-websocket:ws://127.0.0.1:" + port + "/slow?account=slow").routeId("slow")
                        .process(exchange -> {
                            slowRouteReleased.await();
                            receivedSlow.add(exchange.getMessage().getBody(String.class));
                        });
                from("reconnecting-websocket:ws://127.0.0.1:" + port + "/fast?account=fast").routeId("fast")
                        .process(exchange -> receivedFast.add(exchange.getMessage().getBody(String.class)));
            }
        };
    }

    @Test
    void oneSlowAccountPausesEveryConnectionOnceTheBudgetIsUsedUpAndAllCarryOnInOrder() {
        await().atMost(10, TimeUnit.SECONDS).until(() -> sockets.size() == 2);
        List<String> slowFrames = frames("s", 50);
        List<String> fastFrames = frames("f", 20);

        slowFrames.forEach(sockets.get("/slow")::writeTextMessage);
        await().atMost(10, TimeUnit.SECONDS).until(() -> component.getPendingChars() >= BUDGET);
        fastFrames.forEach(sockets.get("/fast")::writeTextMessage);

        // The fast account's route is idle, yet its connection reads at most the frame that found the budget used up.
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> receivedFast.size() <= 1);
        assertTrue(component.getPendingChars() <= BUDGET + 2 * 100, "waiting chars " + component.getPendingChars());

        slowRouteReleased.countDown();
        await().atMost(20, TimeUnit.SECONDS).until(() -> receivedSlow.size() == 50 && receivedFast.size() == 20);
        assertEquals(slowFrames, receivedSlow);
        assertEquals(fastFrames, receivedFast);
        await().atMost(5, TimeUnit.SECONDS).until(() -> component.getPendingChars() == 0);
    }

    @Test
    void framesDroppedByAStopGiveTheirShareOfTheBudgetBack() throws Exception {
        await().atMost(10, TimeUnit.SECONDS).until(() -> sockets.size() == 2);
        frames("s", 50).forEach(sockets.get("/slow")::writeTextMessage);
        await().atMost(10, TimeUnit.SECONDS).until(() -> component.getPendingChars() >= BUDGET);

        // The slow route's frames never reach it: the stop drops them (after its 10 s grace for the frame thread).
        context.getRouteController().stopRoute("slow");

        await("the dropped frames' characters given back").atMost(20, TimeUnit.SECONDS)
                .until(() -> component.getPendingChars() == 0);
        // Given back once: the frame the stop interrupted does not give its share back a second time.
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> component.getPendingChars() == 0);
        List<String> fastFrames = frames("f", 20);
        fastFrames.forEach(sockets.get("/fast")::writeTextMessage);
        await().atMost(10, TimeUnit.SECONDS).until(() -> receivedFast.size() == 20);
        assertEquals(fastFrames, receivedFast);
    }

    private static List<String> frames(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> String.format("%s%03d", prefix, i) + FRAME.substring(4)).toList();
    }
}
