package io.collavre.openclaw.bridge.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import org.apache.camel.test.AvailablePortFinder;
import org.awaitility.Awaitility;

/**
 * A local WebSocket server that plays an OpenClaw Gateway: it sends {@code connect.challenge}, checks the
 * {@code connect} request's token and answers with a {@code res}, then pushes whatever frames a test sends.
 */
public final class GatewaySimulator implements AutoCloseable {

    public enum Handshake {
        ACCEPT, REFUSE, IGNORE
    }

    private final Vertx vertx = Vertx.vertx();
    private final int port;
    private final String token;
    private final Set<ServerWebSocket> established = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<JsonObject> connectRequests = new LinkedBlockingQueue<>();
    private final List<ServerWebSocket> opened = new CopyOnWriteArrayList<>();
    private final AtomicInteger handshakes = new AtomicInteger();
    private final AtomicInteger peakEstablished = new AtomicInteger();
    private volatile Handshake handshake = Handshake.ACCEPT;
    private volatile long tickIntervalMs = 15_000;
    private volatile Long tickTimer;
    private volatile Integer authFailureCloseCode;
    private volatile PfxOptions tls;
    private HttpServer server;

    /**
     * A free port outside the kernel's ephemeral range. Ephemeral ports are what the bridge's outgoing
     * connections use: while a simulator is down, a reconnect attempt to its port can be given that very port
     * as its own and connect to itself, and the simulator could then not listen there again.
     */
    public static int freePort() {
        int[] ephemeral = ephemeralPortRange();
        if (ephemeral[0] > 11_000) {
            return AvailablePortFinder.getNextAvailable(10_000, ephemeral[0] - 1);
        }
        if (ephemeral[1] < 64_000) {
            return AvailablePortFinder.getNextAvailable(ephemeral[1] + 1, 65_535);
        }
        return AvailablePortFinder.getNextAvailable(); // no room outside: start() waits out a held port
    }

    /** Linux's range, or its default where it cannot be read (a line read: procfs reports a size of 0). */
    private static int[] ephemeralPortRange() {
        try {
            String[] range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+");
            return new int[] {Integer.parseInt(range[0]), Integer.parseInt(range[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32_768, 60_999};
        }
    }

    public GatewaySimulator(int port, String token) {
        this.port = port;
        this.token = token;
    }

    public GatewaySimulator start() {
        HttpServerOptions options = new HttpServerOptions().setMaxWebSocketMessageSize(64 * 1024 * 1024)
                .setMaxWebSocketFrameSize(64 * 1024 * 1024);
        if (tls != null) {
            options.setSsl(true).setKeyCertOptions(tls);
        }
        HttpServer created = vertx.createHttpServer(options).webSocketHandler(this::accept);
        // A restarted Gateway may find its port briefly held (a reconnect attempt that raced the restart, where
        // the kernel's ephemeral range could not be avoided); it binds as soon as the port is free again.
        Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptionsMatching(GatewaySimulator::portInUse)
                .until(() -> await(created.listen(port, "127.0.0.1")) != null);
        server = created;
        return this;
    }

    /**
     * Serves wss:// with a fresh self-signed certificate for localhost, made with the JDK's keytool.
     *
     * @return the PEM file of the certificate, for the client to trust
     */
    public String useTls(Path dir) throws IOException, InterruptedException {
        Path keystore = dir.resolve("gateway.p12");
        Path pem = dir.resolve("gateway-ca.pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "gateway", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit");
        run(keytool, "-exportcert", "-rfc", "-alias", "gateway", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-file", pem.toString());
        tls = new PfxOptions().setPath(keystore.toString()).setPassword("changeit");
        return pem.toString();
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    /** Closes the connection with this code when the token is wrong, as a real Gateway does, instead of a res. */
    public void closeOnAuthFailure(int code) {
        this.authFailureCloseCode = code;
    }

    public void stop() {
        if (server != null) {
            established.clear();
            opened.forEach(ws -> ws.close((short) 1001, "going away"));
            opened.clear();
            await(server.close());
            server = null;
        }
    }

    private void accept(ServerWebSocket ws) {
        opened.add(ws);
        ws.closeHandler(v -> {
            established.remove(ws);
            opened.remove(ws);
        });
        ws.textMessageHandler(text -> {
            JsonObject frame = new JsonObject(text);
            if (!"req".equals(frame.getString("type")) || !"connect".equals(frame.getString("method"))) {
                return;
            }
            connectRequests.add(frame);
            Handshake mode = handshake;
            String presented = frame.getJsonObject("params").getJsonObject("auth").getString("token");
            if (mode == Handshake.IGNORE) {
                return;
            }
            Integer closeCode = authFailureCloseCode;
            if (closeCode != null && !token.equals(presented)) {
                ws.close(closeCode.shortValue(), "unauthorized");
                return;
            }
            if (mode == Handshake.REFUSE || !token.equals(presented)) {
                ws.writeTextMessage(new JsonObject().put("type", "res").put("id", frame.getString("id"))
                        .put("ok", false).put("error", new JsonObject().put("message", "invalid token")).encode());
                return;
            }
            ws.writeTextMessage(new JsonObject().put("type", "res").put("id", frame.getString("id")).put("ok", true)
                    .put("payload", new JsonObject().put("type", "hello-ok")
                            .put("policy", new JsonObject().put("tickIntervalMs", tickIntervalMs)))
                    .encode(), done -> {
                        established.add(ws);
                        peakEstablished.accumulateAndGet(established.size(), Math::max);
                        handshakes.incrementAndGet();
                    });
        });
        ws.writeTextMessage(new JsonObject().put("type", "event").put("event", "connect.challenge")
                .put("payload", new JsonObject().put("nonce", "n-" + System.nanoTime()).put("ts", System.currentTimeMillis()))
                .encode());
    }

    /** Sends a frame to every connection that completed the handshake. */
    public void send(String frame) {
        for (ServerWebSocket ws : established) {
            await(ws.writeTextMessage(frame));
        }
    }

    public void sendChat(String runId, Integer seq, String state, String sessionKey, Object content) {
        send(chat(runId, seq, state, sessionKey, content));
    }

    /** A {@code chat} event frame; {@code content} is a string, a list of parts or null for no message. */
    public static String chat(String runId, Integer seq, String state, String sessionKey, Object content) {
        JsonObject payload = new JsonObject().put("state", state);
        if (runId != null) {
            payload.put("runId", runId);
        }
        if (seq != null) {
            payload.put("seq", seq);
        }
        if (sessionKey != null) {
            payload.put("sessionKey", sessionKey);
        }
        if (content instanceof List<?> parts) {
            payload.put("message", new JsonObject().put("role", "assistant").put("content", new JsonArray(parts)));
        } else if (content != null) {
            payload.put("message", new JsonObject().put("role", "assistant").put("content", content));
        }
        return new JsonObject().put("type", "event").put("event", "chat").put("payload", payload).encode();
    }

    /** Starts sending {@code tick} events every {@code intervalMs}. */
    public void startTicks(long intervalMs) {
        tickTimer = vertx.setPeriodic(intervalMs, id -> {
            String tick = new JsonObject().put("type", "event").put("event", "tick")
                    .put("payload", new JsonObject().put("ts", System.currentTimeMillis())).encode();
            established.forEach(ws -> ws.writeTextMessage(tick));
        });
    }

    public void stopTicks() {
        Long timer = tickTimer;
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
    }

    /** Closes every open connection with the given code. */
    public void closeAll(int code, String reason) {
        for (ServerWebSocket ws : opened) {
            established.remove(ws);
            await(ws.close((short) code, reason));
        }
    }

    public void setHandshake(Handshake handshake) {
        this.handshake = handshake;
    }

    public void setTickIntervalMs(long tickIntervalMs) {
        this.tickIntervalMs = tickIntervalMs;
    }

    public int handshakes() {
        return handshakes.get();
    }

    public int establishedConnections() {
        return established.size();
    }

    /** The most connections that were established (handshake done) at the same time, since the start. */
    public int peakEstablishedConnections() {
        return peakEstablished.get();
    }

    public int openConnections() {
        return opened.size();
    }

    /** Waits for the next {@code connect} request the bridge sends. */
    public JsonObject awaitConnectRequest(Duration timeout) throws InterruptedException {
        JsonObject request = connectRequests.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (request == null) {
            throw new AssertionError("no connect request within " + timeout);
        }
        return request;
    }

    public int connectRequests() {
        return connectRequests.size();
    }

    public String url() {
        return tls != null ? "wss://localhost:" + port : "ws://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        stop();
        await(vertx.close());
    }

    private static boolean portInUse(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.BindException) {
                return true;
            }
        }
        return false;
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
