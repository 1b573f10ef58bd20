package io.collavre.openclaw.bridge.websocket;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The component on its own, against a real Vert.x WebSocket server: frames reach the route in the order they
 * were sent even when the route is slower than the server and backpressure kicks in, and the producer answers
 * on the consumer's own connection.
 */
class ReconnectingWebsocketComponentTest extends CamelTestSupport {

    static final int FRAMES = 2_000;

    final int port = AvailablePortFinder.getNextAvailable();
    final List<String> received = new CopyOnWriteArrayList<>();
    final List<String> answersOnFirstSocket = new CopyOnWriteArrayList<>();
    final List<ServerWebSocket> sockets = new CopyOnWriteArrayList<>();
    RawWebsocketServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = new RawWebsocketServer(port, ws -> {
            sockets.add(ws);
            ws.textMessageHandler(text -> {
                if (ws == sockets.get(0)) {
                    answersOnFirstSocket.add(text);
                }
            });
        });
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        ReconnectingWebsocketComponent component = new ReconnectingWebsocketComponent();
        component.setMaxPendingFrames(16);
        component.setReconnectBaseDelay(100);
        context.addComponent("reconnecting-websocket", component);
        return context;
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                String uri = "reconnecting-websocket:ws://127.0.0.1:" + port + "/?account=test";
                from(uri).routeId("frames")
                        .process(exchange -> {
                            String text = exchange.getMessage().getBody(String.class);
                            if (received.size() % 100 == 0) {
                                Thread.sleep(5); // a slow route now and then: frames pile up and the socket pauses
                            }
                            received.add(text);
                            exchange.getMessage().setBody("ack-" + text);
                        })
                        .to(uri);
            }
        };
    }

    @Test
    void framesArriveInOrderAndAnswersGoBackOnTheSameConnection() {
        await().atMost(10, TimeUnit.SECONDS).until(() -> sockets.size() == 1);
        ServerWebSocket ws = sockets.get(0);
        for (int i = 0; i < FRAMES; i++) {
            ws.writeTextMessage(String.valueOf(i));
        }
        await().atMost(30, TimeUnit.SECONDS).until(() -> received.size() == FRAMES);
        for (int i = 0; i < FRAMES; i++) {
            assertEquals(String.valueOf(i), received.get(i), "frame " + i + " out of order");
        }
        await().atMost(30, TimeUnit.SECONDS).until(() -> answersOnFirstSocket.size() == FRAMES);
        assertEquals("ack-0", answersOnFirstSocket.get(0));
        assertEquals("ack-" + (FRAMES - 1), answersOnFirstSocket.get(FRAMES - 1));
        assertEquals(1, sockets.size(), "the producer never opened a second connection");
    }

    @Test
    void producerWithoutAConnectionFailsTheExchangeInsteadOfConnecting() throws Exception {
        await().atMost(10, TimeUnit.SECONDS).until(() -> sockets.size() == 1);
        context.getRouteController().stopRoute("frames");
        Exception e = assertThrows(Exception.class, () ->
                template.sendBody("reconnecting-websocket:ws://127.0.0.1:" + port + "/?account=test", "hello"));
        assertTrue(e.getCause().getMessage().contains("not connected"), e.getMessage());
        assertEquals(1, sockets.size());
    }
}
