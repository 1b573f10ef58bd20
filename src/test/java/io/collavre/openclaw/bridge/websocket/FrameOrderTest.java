package io.collavre.openclaw.bridge.websocket;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.collavre.openclaw.bridge.testing.RawWebsocketServer;
import io.vertx.core.buffer.Buffer;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.LambdaRouteBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames that pile up behind a slow route are still processed one at a time, in arrival order, on the
 * component's frame threads: never on the Vert.x event loop, whatever the length of the queue; and many
 * connections share those few threads.
 */
class FrameOrderTest {

    /** More than Camel's default thread pool queue (1000), fewer than maxPendingFrames (10,000). */
    static final int FRAMES = 3000;

    @Test
    void framesQueuedBehindASlowRouteKeepTheirOrder() throws Exception {
        CountDownLatch allRead = new CountDownLatch(1);
        RawWebsocketServer server = new RawWebsocketServer(0, ws -> {
            ws.pongHandler(pong -> allRead.countDown());
            for (int i = 1; i <= FRAMES; i++) {
                ws.writeTextMessage(Integer.toString(i));
            }
            // The client answers a ping only once it has read every frame sent before it.
            ws.writePing(Buffer.buffer("all sent"));
        });
        int port = server.port();
        List<String> processed = new CopyOnWriteArrayList<>();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(FRAMES);
        // A lambda route builder: Camel Main in other tests scans this package for RouteBuilder classes.
        runUntilAllProcessed(server, done, routes -> routes
                .from("reconnecting-websocket:ws://127.0.0.1:" + port + "/?account=order").process(exchange -> {
                    mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                    String frame = exchange.getMessage().getBody(String.class);
                    if ("1".equals(frame)) {
                        exchange.getMessage().getHeader(ReconnectingWebsocketConstants.SESSION,
                                ReconnectingWebsocketConsumer.WebsocketSession.class).established(null);
                        // Hold the route until the client has read every frame: they all queue up behind this one.
                        assertTrue(allRead.await(30, TimeUnit.SECONDS), "the client did not read the frames");
                    }
                    processed.add(frame);
                    threads.add(Thread.currentThread().getName());
                    running.decrementAndGet();
                    done.countDown();
                }));

        for (int i = 0; i < FRAMES; i++) {
            assertEquals(Integer.toString(i + 1), processed.get(i), "frame " + (i + 1));
        }
        assertEquals(1, mostAtOnce.get(), "frames of one connection processed at once");
        assertTrue(threads.stream().allMatch(thread -> thread.contains("gateway-frames")), "frames processed on " + threads);
    }

    @Test
    void manyConnectionsShareTheFrameThreadsEachInOrder() throws Exception {
        int connections = 6;
        int framesEach = 500;
        RawWebsocketServer server = new RawWebsocketServer(0, ws -> {
            String account = ws.path().substring(1);
            for (int i = 1; i <= framesEach; i++) {
                ws.writeTextMessage(account + " " + i);
            }
        });
        int port = server.port();
        Map<String, List<Integer>> processed = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        AtomicInteger mostOfOneAtOnce = new AtomicInteger();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch done = new CountDownLatch(connections * framesEach);
        runUntilAllProcessed(server, done, routes -> {
            for (int c = 0; c < connections; c++) {
                routes.from("reconnecting-websocket:ws://127.0.0.1:" + port + "/acct" + c + "?account=acct" + c)
                        .process(exchange -> {
                            String[] frame = exchange.getMessage().getBody(String.class).split(" ");
                            AtomicInteger mine = running.computeIfAbsent(frame[0], a -> new AtomicInteger());
                            mostOfOneAtOnce.accumulateAndGet(mine.incrementAndGet(), Math::max);
                            if ("1".equals(frame[1])) {
                                exchange.getMessage().getHeader(ReconnectingWebsocketConstants.SESSION,
                                        ReconnectingWebsocketConsumer.WebsocketSession.class).established(null);
                            }
                            processed.computeIfAbsent(frame[0], a -> new CopyOnWriteArrayList<>())
                                    .add(Integer.parseInt(frame[1]));
                            threads.add(Thread.currentThread().getName());
                            mine.decrementAndGet();
                            done.countDown();
                        });
            }
        });

        assertEquals(connections, processed.size());
        processed.forEach((account, frames) -> {
            for (int i = 0; i < framesEach; i++) {
                assertEquals(i + 1, frames.get(i), account + " frame " + (i + 1));
            }
        });
        assertEquals(1, mostOfOneAtOnce.get(), "frames of one connection processed at once");
        // The component's default: two threads for all six connections.
        assertTrue(threads.size() <= 2 && threads.stream().allMatch(thread -> thread.contains("gateway-frames")),
                "frames processed on " + threads);
    }

    /** Starts the routes, waits until every frame went through them, then stops the routes and the server. */
    private static void runUntilAllProcessed(RawWebsocketServer server, CountDownLatch done, LambdaRouteBuilder routes)
            throws Exception {
        CamelContext context = new DefaultCamelContext();
        try {
            RouteBuilder.addRoutes(context, routes);
            context.start();
            assertTrue(done.await(30, TimeUnit.SECONDS), "not every frame was processed");
        } finally {
            context.close();
            server.close();
        }
    }
}
