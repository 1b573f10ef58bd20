package io.collavre.openclaw.bridge.websocket;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.collavre.openclaw.bridge.ops.LogSafe;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.collavre.openclaw.bridge.websocket.ConnectionStatus.State;

/**
 * A WebSocket client consumer that keeps one connection up for the life of the route.
 *
 * <p>Each text frame becomes an exchange; frames are processed one at a time, in arrival order, on the
 * component's frame threads (never on the Vert.x event loop), with a {@link WebsocketSession} in the
 * {@value ReconnectingWebsocketConstants#SESSION} header through which the route reports the outcome of its application-level
 * handshake. Until the route calls {@link WebsocketSession#established(Long)} within the handshake timeout the
 * attempt has not succeeded; {@link WebsocketSession#refuse(String)} fails it. A connection silent for longer
 * than the idle timeout is closed and replaced.
 */
public class ReconnectingWebsocketConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(ReconnectingWebsocketConsumer.class);

    private final ReconnectPolicy policy;
    private final AtomicInteger failedAttempts = new AtomicInteger();
    private final AtomicInteger pendingFrames = new AtomicInteger();
    /** This connection's share of the component's pending characters, given back if a stop drops its frames. */
    private final AtomicLong pendingChars = new AtomicLong();
    private final Object lock = new Object();

    private HttpClient client;
    private FrameLanes.Lane frames;
    private long watchdogTimer = -1;
    private long reconnectTimer = -1;

    private volatile WebsocketSession session;
    private volatile State state = State.CONNECTING;
    private volatile String reason = "not connected yet";
    private volatile long lastFrameNanos;
    private volatile Instant lastFrameAt;

    public ReconnectingWebsocketConsumer(ReconnectingWebsocketEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.policy = endpoint.getComponent().reconnectPolicy();
    }

    @Override
    public ReconnectingWebsocketEndpoint getEndpoint() {
        return (ReconnectingWebsocketEndpoint) super.getEndpoint();
    }

    private String account() {
        return getEndpoint().getAccount();
    }

    private Vertx vertx() {
        return getEndpoint().vertx();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        // The lane never refuses a frame while open: maxPendingFrames and maxPendingChars pause the socket, which
        // is what bounds it.
        frames = getEndpoint().getComponent().frameLane(account());
        HttpClientOptions options = getEndpoint().clientOptions();
        client = vertx().createHttpClient(options);
        getEndpoint().getComponent().register(this);
        // Before the first frame can arrive: what the bridge holds for the account is in place (a shared store's
        // buffers taken over from the account's previous bridge).
        getEndpoint().getComponent().connectionStarting(account());
        long period = Math.max(100, Math.min(1000, getEndpoint().getComponent().getIdleTimeout() / 4));
        watchdogTimer = vertx().setPeriodic(period, id -> checkIdle());
        // Never block or fail startup on an unreachable server: connect in the background and keep trying.
        connect();
    }

    @Override
    protected void doStop() throws Exception {
        synchronized (lock) {
            vertx().cancelTimer(watchdogTimer);
            vertx().cancelTimer(reconnectTimer);
            WebsocketSession current = session;
            session = null;
            if (current != null) {
                current.socket.close((short) 1000, "bridge stopping");
            }
            transition(State.CLOSED, "stopped");
        }
        getEndpoint().getComponent().unregister(this);
        if (frames != null) {
            // Let frames already accepted reach the route before the route stops.
            try {
                frames.close(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                // A forced shutdown: stop waiting (the frames left are dropped), but still close the client below.
                Thread.currentThread().interrupt();
            }
            // Frames the close dropped are never released: give their share of the budget back, or every
            // connection would be paused a little sooner after each stop (a cluster failover stops this route).
            long dropped = pendingChars.getAndSet(0);
            pendingFrames.set(0);
            if (dropped > 0) {
                LOG.warn("account={} frames=dropped chars={} outcome=dropped reason=consumer-stopped-before-they-were-processed",
                        account(), dropped);
                getEndpoint().getComponent().frameDone(dropped);
            }
        }
        getEndpoint().getComponent().connectionStopped(account());
        if (client != null) {
            client.close();
        }
        super.doStop();
    }

    /** The status of this connection, for health checks. */
    public ConnectionStatus status() {
        return new ConnectionStatus(account(), state, state == State.CONNECTED ? null : reason, lastFrameAt,
                failedAttempts.get());
    }

    WebSocket currentSocket() {
        WebsocketSession current = session;
        return current == null ? null : current.socket;
    }

    // HttpClient.webSocket is deprecated in Vert.x 4.5 in favour of WebSocketClient, but the endpoint's
    // configuration (client options, Camel SSLContextParameters) is expressed as HttpClientOptions.
    @SuppressWarnings("deprecation")
    private void connect() {
        if (!isRunAllowed()) {
            return;
        }
        WebSocketConnectOptions options = getEndpoint().connectOptions(getEndpoint().clientOptions());
        LOG.debug("account={} gateway connecting to {}:{}", account(), options.getHost(), options.getPort());
        // The handler form, not the Future one: Vert.x resumes the new socket and then calls this handler in the
        // same task, so the frame handlers are in place before the socket's first frames are delivered. The Future
        // form completes its listener later, on another context: a connect.challenge that the Gateway sent at once
        // could then be delivered to no handler and lost (seen under load: the handshake timed out and was retried).
        client.webSocket(options, result -> {
            if (result.succeeded()) {
                opened(result.result());
            } else {
                attemptFailed("connect failed: " + describe(result.cause()));
            }
        });
    }

    private void opened(WebSocket socket) {
        WebsocketSession opened = new WebsocketSession(socket);
        synchronized (lock) {
            if (!isRunAllowed()) {
                socket.close((short) 1000, "bridge stopping");
                return;
            }
            session = opened;
            opened.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(getEndpoint().getComponent().getIdleTimeout());
            lastFrameNanos = System.nanoTime();
        }
        LOG.info("account={} gateway socket open, awaiting handshake", account());
        socket.textMessageHandler(text -> frameReceived(opened, text));
        socket.binaryMessageHandler(buffer -> frameReceived(opened, buffer.toString()));
        socket.exceptionHandler(e -> LOG.debug("account={} gateway socket error: {}", account(), describe(e)));
        socket.closeHandler(v -> closedByPeer(opened));
        opened.handshakeTimer = vertx().setTimer(getEndpoint().getComponent().getHandshakeTimeout(),
                id -> {
                    if (!opened.established) {
                        opened.refuse("handshake not completed within "
                                      + getEndpoint().getComponent().getHandshakeTimeout() + " ms");
                    }
                });
    }

    private void frameReceived(WebsocketSession from, String text) {
        lastFrameNanos = System.nanoTime();
        lastFrameAt = Instant.now();
        ReconnectingWebsocketComponent component = getEndpoint().getComponent();
        int chars = text.length();
        pendingChars.addAndGet(chars);
        boolean budgetUsedUp = component.framePending(chars);
        if (pendingFrames.incrementAndGet() >= component.getMaxPendingFrames() || budgetUsedUp) {
            // The routes are behind: stop reading until they catch up rather than queue without bound.
            from.pause();
        }
        boolean queued = frames.offer(() -> {
            try {
                process(from, text);
            } finally {
                release(chars);
                resumeIfBelowLimits();
            }
        });
        if (!queued) {
            // Only once the consumer is stopping.
            release(chars);
            LOG.warn("account={} frame=received outcome=dropped reason=consumer-stopping", account());
        }
    }

    /** Counts a frame as no longer waiting, here and in the component's budget. */
    private void release(int chars) {
        if (pendingChars.addAndGet(-chars) < 0) {
            // A stop already gave this frame's share back (it was running while the stop dropped the others).
            pendingChars.addAndGet(chars);
            return;
        }
        getEndpoint().getComponent().frameDone(chars);
        pendingFrames.decrementAndGet();
    }

    /** Resumes reading when this connection and all of them are back under half their limits. */
    void resumeIfBelowLimits() {
        WebsocketSession current = session;
        ReconnectingWebsocketComponent component = getEndpoint().getComponent();
        if (current != null && pendingFrames.get() <= component.getMaxPendingFrames() / 2
            && component.pendingCharsAtMostHalf()) {
            current.resume();
        }
    }

    private void process(WebsocketSession from, String text) {
        long now = System.nanoTime();
        boolean repeated = from.repeatedFrames.isRepeat(text, now);
        Exchange exchange = createExchange(false);
        exchange.getMessage().setBody(text);
        exchange.getMessage().setHeader(ReconnectingWebsocketConstants.SESSION, from);
        if (repeated) {
            exchange.getMessage().setHeader(ReconnectingWebsocketConstants.REPEATED_FRAME, Boolean.TRUE);
        }
        try {
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        if (exchange.getException() != null) {
            getExceptionHandler().handleException("account=" + account() + " error processing gateway frame",
                    exchange, exchange.getException());
        } else if (!repeated) {
            // Whatever the route made of it (taken, or dropped as malformed): an exact copy is a duplicate.
            from.repeatedFrames.remember(text, now);
        }
        releaseExchange(exchange, false);
    }

    private void closedByPeer(WebsocketSession closed) {
        Short status = closed.socket.closeStatusCode();
        int code = status == null ? ReconnectPolicy.ABNORMAL_CLOSURE : status;
        // The Gateway's words: escaped and cut for the log line.
        String closeReason = LogSafe.value(closed.socket.closeReason());
        synchronized (lock) {
            if (session != closed) {
                return; // we closed it ourselves and already decided what comes next
            }
            session = null;
            vertx().cancelTimer(closed.handshakeTimer);
        }
        if (!isRunAllowed()) {
            return;
        }
        String why = "closed by gateway code=" + code + (closeReason == null || closeReason.isBlank()
                ? "" : " reason=" + closeReason);
        switch (ReconnectPolicy.actionFor(code)) {
            case STOP -> {
                transition(State.CLOSED, why);
                LOG.info("account={} gateway {} outcome=stopped (normal close, no reconnect)", account(), why);
            }
            case FATAL -> {
                transition(State.FAILED, why);
                LOG.error("account={} gateway {} outcome=failed (authentication or policy; fix the account's"
                          + " token or permissions, then restart the route)", account(), why);
            }
            case RECONNECT -> attemptFailed(why);
        }
    }

    /** Counts a failed attempt and schedules the next one after the policy's backoff. */
    private void attemptFailed(String why) {
        synchronized (lock) {
            if (!isRunAllowed()) {
                return;
            }
            int attempt = failedAttempts.incrementAndGet();
            long delay = policy.delayMillis(attempt);
            transition(State.RECONNECTING, why);
            LOG.warn("account={} gateway {} outcome=reconnect attempt={} delayMs={}", account(), why, attempt, delay);
            vertx().cancelTimer(reconnectTimer);
            reconnectTimer = vertx().setTimer(delay, id -> connect());
        }
    }

    private void checkIdle() {
        WebsocketSession current = session;
        if (current == null) {
            return;
        }
        if (pendingFrames.get() > 0 || current.paused) {
            // Silence while frames wait, or while reading is paused for them, is the bridge's own doing: it counts
            // from when the bridge reads again, or a connection held back longer than the timeout would be taken for
            // dead the moment it is released.
            lastFrameNanos = System.nanoTime();
            return;
        }
        long silentNanos = System.nanoTime() - lastFrameNanos;
        if (silentNanos > current.idleTimeoutNanos) {
            current.refuse("silent for " + TimeUnit.NANOSECONDS.toMillis(silentNanos) + " ms");
        }
    }

    private void transition(State next, String why) {
        state = next;
        reason = why;
    }

    private static String describe(Throwable e) {
        return e == null ? "unknown" : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /**
     * One open connection, as the route sees it. Calls on a session that is no longer the current one are
     * ignored, so a late answer from an old connection cannot disturb a new one.
     */
    public final class WebsocketSession {

        private final WebSocket socket;
        /** This connection's last frames (a new connection starts afresh: the Gateway never replays frames). */
        private final RepeatedFrames repeatedFrames = new RepeatedFrames(
                getEndpoint().getComponent().getRepeatedFrameWindow());
        private volatile boolean established;
        private volatile long idleTimeoutNanos;
        private long handshakeTimer = -1;
        /** Reading paused for backpressure. Set and cleared with the socket's own state, under the session's lock. */
        private volatile boolean paused;

        private WebsocketSession(WebSocket socket) {
            this.socket = socket;
        }

        private synchronized void pause() {
            if (!paused) {
                paused = true;
                socket.pause();
            }
        }

        private void resume() {
            // The unlocked read is enough: a pause after it comes with a frame whose completion looks again (or,
            // when the budget is what keeps it paused, the component does once half of it is free).
            if (paused) {
                synchronized (this) {
                    if (paused) {
                        paused = false;
                        socket.resume();
                    }
                }
            }
        }

        /**
         * The application-level handshake succeeded: failed attempts are forgotten, and the connection is
         * considered dead after twice the server's keepalive interval of silence.
         *
         * @param keepaliveIntervalMs the server's keepalive (tick) interval, or null for the configured default
         */
        public void established(Long keepaliveIntervalMs) {
            if (session != this) {
                return;
            }
            established = true;
            vertx().cancelTimer(handshakeTimer);
            if (keepaliveIntervalMs != null && keepaliveIntervalMs > 0) {
                idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(2 * keepaliveIntervalMs);
            }
            failedAttempts.set(0);
            transition(State.CONNECTED, null);
            LOG.info("account={} gateway connected keepaliveMs={}", account(),
                    TimeUnit.NANOSECONDS.toMillis(idleTimeoutNanos) / 2);
        }

        /** The attempt failed (handshake refused, timed out, silent): close it and try again after backoff. */
        public void refuse(String why) {
            synchronized (lock) {
                if (session != this) {
                    return;
                }
                session = null;
                vertx().cancelTimer(handshakeTimer);
            }
            socket.close((short) 1000, "closing");
            attemptFailed(why);
        }

        public String getAccount() {
            return account();
        }

        @Override
        public String toString() {
            return "WebsocketSession[account=" + account() + ", established=" + established + "]";
        }
    }
}
