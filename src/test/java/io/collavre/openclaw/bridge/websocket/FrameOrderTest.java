package io.collavre.openclaw.bridge.websocket;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames that pile up behind a slow route are still processed one at a time, in arrival order, on the
 * connection's own thread: never on the Vert.x event loop, whatever the length of the queue.
 */
class FrameOrderTest {

    /** More than Camel's default thread pool queue (1000), fewer than maxPendingFrames (10,000). */
    static final int FRAMES = 3000;

    @Test
    void framesQueuedBehindASlowRouteKeepTheirOrderAndThread() throws Exception {
        Vertx vertx = Vertx.vertx();
        CountDownLatch allRead = new CountDownLatch(1);
        HttpServer server = vertx.createHttpServer().webSocketHandler(ws -> {
            ws.pongHandler(pong -> allRead.countDown());
            for (int i = 1; i <= FRAMES; i++) {
                ws.writeTextMessage(Integer.toString(i));
            }
            // The client answers a ping only once it has read every frame sent before it.
            ws.writePing(Buffer.buffer("all sent"));
        });
        int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                .actualPort();
        List<String> processed = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(FRAMES);
        CamelContext context = new DefaultCamelContext();
        try {
            // A lambda route builder: Camel Main in other tests scans this package for RouteBuilder classes.
            RouteBuilder.addRoutes(context, routes -> routes
                    .from("reconnecting-websocket:ws://127.0.0.1:" + port + "/?account=order").process(exchange -> {
                        String frame = exchange.getMessage().getBody(String.class);
                        if ("1".equals(frame)) {
                            exchange.getMessage().getHeader(ReconnectingWebsocketConsumer.SESSION_HEADER,
                                    ReconnectingWebsocketConsumer.WebsocketSession.class).established(null);
                            // Hold the route until the client has read every frame: they all queue up behind this one.
                            assertTrue(allRead.await(30, TimeUnit.SECONDS), "the client did not read the frames");
                        }
                        processed.add(Thread.currentThread().getName() + " " + frame);
                        done.countDown();
                    }));
            context.start();
            assertTrue(done.await(30, TimeUnit.SECONDS), "not every frame was processed");
        } finally {
            context.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        String thread = processed.get(0).substring(0, processed.get(0).lastIndexOf(' '));
        assertTrue(thread.contains("gateway-frames-order"), "frames processed on " + thread);
        for (int i = 0; i < FRAMES; i++) {
            assertEquals(thread + " " + (i + 1), processed.get(i), "frame " + (i + 1));
        }
    }
}
