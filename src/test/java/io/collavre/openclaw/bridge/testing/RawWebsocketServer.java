package io.collavre.openclaw.bridge.testing;

import java.util.concurrent.TimeUnit;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;

/**
 * A plain local WebSocket server (Vert.x) for the WebSocket consumer's own tests: every socket a client opens is
 * handed to the test's handler, with no Gateway protocol (for that, see {@link GatewaySimulator}).
 */
public final class RawWebsocketServer implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final int port;

    /** Listens on 127.0.0.1 at {@code port} (0: any free port) until closed. */
    public RawWebsocketServer(int port, Handler<ServerWebSocket> sockets) throws Exception {
        try {
            this.port = vertx.createHttpServer().webSocketHandler(sockets).listen(port, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
}
