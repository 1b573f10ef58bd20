package io.collavre.openclaw.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.collavre.openclaw.bridge.chat.ChatText;
import io.collavre.openclaw.bridge.chat.FrameIdentity;
import io.collavre.openclaw.bridge.chat.RunBuffer;
import io.collavre.openclaw.bridge.chat.SessionKey;
import io.collavre.openclaw.bridge.collavre.ProactiveMessage;
import io.collavre.openclaw.bridge.gateway.ConnectRequest;
import io.collavre.openclaw.bridge.gateway.GatewayAccount;
import io.collavre.openclaw.bridge.gateway.GatewayAccounts;

/**
 * The bridge's work written by hand, without Camel: one Vert.x WebSocket client (frames handled in order on
 * the connection's event loop), one map of run buffers, Jackson, the JDK HTTP client. Same rules as the bridge:
 * frames over the size cap, non-JSON frames, events without a usable runId and session keys naming another user
 * are dropped; a frame with the (account, runId, seq, state) of one seen in the last 30 s (at most 20,000
 * remembered) is a duplicate; deltas are merged into the run's buffer (a delta behind its seq adds nothing), the
 * final's text wins when it has any; error and aborted drop the buffer; a run is posted only with a creative id
 * and text, and never twice in 60 s; buffers idle for 30 minutes are purged. It logs the same decisions at the
 * same levels.
 *
 * <p>It reuses the bridge's plain-Java domain classes (session key parsing, chat text, buffer merge, the
 * Collavre document, the connect request, the accounts file), so that the two differ only in plumbing.
 */
final class Baseline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Baseline.class);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final int MAX_FRAME_CHARS = 1_048_576;
    private static final int MAX_RUN_ID_CHARS = 200;
    private static final long BUFFER_TTL_NANOS = TimeUnit.MINUTES.toNanos(30);
    private static final int CONNECTION_RETRIES = 1;

    private final ObjectMapper json = new ObjectMapper();
    private final Vertx vertx = Vertx.vertx();
    // One connection per account: Vert.x would otherwise hold more than 50 to one host back.
    private final WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(10_000));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final URI collavre;
    private final Map<String, Open> buffers = new ConcurrentHashMap<>();
    private final ExpiringKeys recentFrames = new ExpiringKeys(TimeUnit.SECONDS.toNanos(30), 20_000);
    private final ExpiringKeys dispatchedRuns = new ExpiringKeys(TimeUnit.SECONDS.toNanos(60), 1_000_000);
    private final long sweepTimer;
    private volatile boolean running = true;

    /** A run's buffer and when it last saw an event. */
    private static final class Open {
        final RunBuffer buffer;
        volatile long lastEventNanos = System.nanoTime();

        Open(RunBuffer buffer) {
            this.buffer = buffer;
        }
    }

    private Baseline(URI collavre) {
        this.collavre = collavre;
        this.sweepTimer = vertx.setPeriodic(60_000, id -> sweep());
    }

    static Baseline start(Path accountsFile, String collavreUrl) throws Exception {
        Baseline baseline = new Baseline(URI.create(collavreUrl));
        List<GatewayAccount> accounts = GatewayAccounts.load(null, accountsFile);
        for (GatewayAccount account : accounts) {
            baseline.connect(account);
        }
        return baseline;
    }

    private void connect(GatewayAccount account) {
        if (!running) {
            return;
        }
        URI uri = URI.create(account.gatewayUrl());
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(uri.getHost()).setPort(uri.getPort())
                .setURI(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath());
        ConnectRequest connectRequest = new ConnectRequest();
        connectRequest.setToken(account.token());
        // The handler form: it runs in the task that resumes the socket, before the Gateway's first frame is
        // delivered; the Future form's listener may run after it and miss the connect.challenge (as the bridge did).
        client.connect(options, result -> {
            if (result.failed()) {
                LOG.warn("account={} gateway connect failed: {} outcome=reconnect", account.name(), result.cause().getMessage());
                vertx.setTimer(1000, id -> connect(account));
                return;
            }
            WebSocket ws = result.result();
            ws.textMessageHandler(text -> onFrame(account, connectRequest, ws, text));
            ws.closeHandler(v -> {
                LOG.warn("account={} gateway closed code={} outcome=reconnect", account.name(), ws.closeStatusCode());
                vertx.setTimer(1000, id -> connect(account));
            });
        });
    }

    private void onFrame(GatewayAccount account, ConnectRequest connectRequest, WebSocket ws, String text) {
        if (text.length() > MAX_FRAME_CHARS) {
            LOG.warn("account={} frame=oversized chars={} outcome=dropped", account.name(), text.length());
            return;
        }
        Map<String, Object> frame;
        try {
            frame = json.readValue(text, MAP);
        } catch (JsonProcessingException e) {
            LOG.warn("account={} frame=malformed outcome=dropped", account.name());
            return;
        }
        Object type = frame.get("type");
        Object event = frame.get("event");
        if ("event".equals(type) && "chat".equals(event) && frame.get("payload") instanceof Map<?, ?>) {
            @SuppressWarnings("unchecked")
            Map<String, Object> payload = (Map<String, Object>) frame.get("payload");
            onChat(account, payload);
        } else if ("event".equals(type) && "connect.challenge".equals(event)) {
            LOG.info("account={} handshake=challenge outcome=answering", account.name());
            try {
                ws.writeTextMessage(connectRequest.json());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else if ("res".equals(type) && Boolean.TRUE.equals(frame.get("ok"))) {
            LOG.info("account={} gateway connected", account.name());
        } else if ("res".equals(type)) {
            LOG.error("account={} handshake=refused outcome=retry", account.name());
            ws.close((short) 1000, "closing");
        }
    }

    private void onChat(GatewayAccount account, Map<String, Object> payload) {
        Object runIdValue = payload.get("runId");
        Object stateValue = payload.get("state");
        String state = stateValue == null ? null : stateValue.toString();
        if (!(runIdValue instanceof String runId) || runId.isBlank() || runId.length() > MAX_RUN_ID_CHARS) {
            LOG.debug("account={} state={} outcome=ignored reason=no-valid-runId", account.name(), state);
            return;
        }
        String sessionKey = payload.get("sessionKey") instanceof String key ? key : null;
        SessionKey parts = SessionKey.parse(sessionKey);
        if (parts.userId() != null && !parts.userId().toString().equals(account.ownerId())) {
            LOG.warn("runId={} account={} state={} owner={} keyUser={} outcome=dropped reason=session-key-names-another-user",
                    runId, account.name(), state, account.ownerId(), parts.userId());
            return;
        }
        if (!recentFrames.add(FrameIdentity.of(account.name(), payload))) {
            LOG.debug("runId={} account={} state={} seq={} outcome=dropped reason=duplicate-frame", runId,
                    account.name(), state, payload.get("seq"));
            return;
        }
        if ("delta".equals(state)) {
            String text = ChatText.of(payload.get("message"));
            buffers.compute(runId, (id, open) -> {
                Open current = open != null ? open
                        : new Open(new RunBuffer(runId, account.ownerId(), sessionKey, Instant.now()));
                current.buffer.rememberSessionKey(sessionKey);
                current.buffer.mergeDelta(RunBuffer.seqOf(payload), text);
                current.lastEventNanos = System.nanoTime();
                return current;
            });
        } else if ("final".equals(state)) {
            Open open = buffers.remove(runId);
            RunBuffer buffer = open != null ? open.buffer
                    : new RunBuffer(runId, account.ownerId(), sessionKey, Instant.now());
            buffer.rememberSessionKey(sessionKey);
            buffer.applyFinal(ChatText.of(payload.get("message")));
            dispatch(buffer);
        } else if ("error".equals(state)) {
            LOG.warn("runId={} account={} state=error error={} outcome=buffer-dropped", runId, account.name(),
                    payload.get("errorMessage"));
            buffers.remove(runId);
        } else if ("aborted".equals(state)) {
            LOG.info("runId={} account={} state=aborted outcome=buffer-dropped", runId, account.name());
            buffers.remove(runId);
        } else {
            LOG.debug("runId={} account={} state={} outcome=ignored reason=unknown-state", runId, account.name(), state);
        }
    }

    private void dispatch(RunBuffer run) {
        String runId = run.getRunId();
        if (!SessionKey.parse(run.getSessionKey()).hasCreative()) {
            LOG.info("runId={} state=final outcome=skipped reason=no-creative", runId);
            return;
        }
        if (run.isTextBlank()) {
            LOG.info("runId={} state=final outcome=skipped reason=empty-text", runId);
            return;
        }
        if (!dispatchedRuns.add(runId)) {
            LOG.info("runId={} state=final outcome=suppressed reason=dispatched-within-60s", runId);
            return;
        }
        byte[] body;
        try {
            body = json.writeValueAsBytes(ProactiveMessage.of(run));
        } catch (JsonProcessingException e) {
            dispatchedRuns.remove(runId);
            LOG.error("runId={} state=final outcome=failed reason=json", runId);
            return;
        }
        HttpRequest request = HttpRequest.newBuilder(collavre).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Idempotency-Key", runId)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        post(request, runId, CONNECTION_RETRIES);
    }

    /**
     * Posts, once more after a connection error (the JDK client now and then finds a kept connection closed by the
     * sink's server under load), as the bridge retries connection errors; no other retry.
     */
    private void post(HttpRequest request, String runId, int retriesLeft) {
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error != null && retriesLeft > 0) {
                LOG.warn("runId={} state=final outcome=retry reason={}", runId, error.getCause() != null
                        ? error.getCause().toString() : error.toString());
                post(request, runId, retriesLeft - 1);
            } else if (error != null || response.statusCode() >= 300) {
                // Not remembered as dispatched: a replay of the run may try again.
                dispatchedRuns.remove(runId);
                LOG.error("runId={} state=final outcome=failed status={}", runId,
                        error != null ? error.getClass().getSimpleName() : response.statusCode());
            } else {
                LOG.info("runId={} state=final outcome=dispatched status={}", runId, response.statusCode());
            }
        });
    }

    private void sweep() {
        long now = System.nanoTime();
        buffers.entrySet().removeIf(e -> {
            boolean stale = now - e.getValue().lastEventNanos > BUFFER_TTL_NANOS;
            if (stale) {
                LOG.warn("runId={} state=stale outcome=purged reason=no final within 1800s", e.getKey());
            }
            return stale;
        });
    }

    @Override
    public void close() {
        running = false;
        vertx.cancelTimer(sweepTimer);
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** Keys remembered for a fixed time, at most {@code maxSize} of them (oldest forgotten first). */
    static final class ExpiringKeys {
        private final LinkedHashMap<String, Long> expiries = new LinkedHashMap<>();
        private final long ttlNanos;
        private final int maxSize;

        ExpiringKeys(long ttlNanos, int maxSize) {
            this.ttlNanos = ttlNanos;
            this.maxSize = maxSize;
        }

        /** Remembers the key; false when it was remembered already. */
        synchronized boolean add(String key) {
            long now = System.nanoTime();
            Iterator<Long> oldest = expiries.values().iterator();
            while (oldest.hasNext() && oldest.next() - now <= 0) {
                oldest.remove();
            }
            if (expiries.putIfAbsent(key, now + ttlNanos) != null) {
                return false;
            }
            if (expiries.size() > maxSize) {
                Iterator<String> first = expiries.keySet().iterator();
                first.next();
                first.remove();
            }
            return true;
        }

        synchronized void remove(String key) {
            expiries.remove(key);
        }
    }
}
