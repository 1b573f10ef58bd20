package io.collavre.openclaw.bridge.websocket;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.PemTrustOptions;
import org.apache.camel.component.vertx.websocket.VertxWebsocketComponent;
import org.apache.camel.component.vertx.websocket.VertxWebsocketConfiguration;
import org.apache.camel.component.vertx.websocket.VertxWebsocketEndpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code reconnecting-websocket:ws://host:port/path?account=NAME}: a WebSocket client endpoint that stays
 * connected.
 *
 * <p>It is camel-vertx-websocket (URI parsing, Vert.x, TLS, handshake headers and the producer are the
 * component's own) with a client consumer that adds what a long-lived client needs and the stock one lacks:
 * starting while the server is down, frames processed in arrival order, close codes that decide between
 * reconnecting with exponential backoff and giving up, an application-level handshake deadline and an idle
 * watchdog. {@code http://} and {@code https://} URLs are accepted and mean {@code ws://} and {@code wss://}.
 * The frames of all its connections are processed on {@code frameThreads} shared threads (see {@link FrameLanes}).
 */
@Component("reconnecting-websocket")
public class ReconnectingWebsocketComponent extends VertxWebsocketComponent {

    private static final Logger LOG = LoggerFactory.getLogger(ReconnectingWebsocketComponent.class);

    @Metadata(label = "consumer", defaultValue = "1000",
              description = "Delay before the first reconnect attempt, in ms; it doubles with each failed attempt")
    private long reconnectBaseDelay = 1000;
    @Metadata(label = "consumer", defaultValue = "60000",
              description = "Longest delay between reconnect attempts, in ms")
    private long reconnectMaxDelay = 60_000;
    @Metadata(label = "consumer", defaultValue = "10000",
              description = "How long, in ms, the application-level handshake may take after the socket opened")
    private long handshakeTimeout = 10_000;
    @Metadata(label = "consumer", defaultValue = "10000",
              description = "TCP connect and WebSocket upgrade timeout, in ms")
    private long connectTimeout = 10_000;
    @Metadata(label = "consumer", defaultValue = "30000",
              description = "Silence, in ms, after which a connection counts as dead until the handshake says how often the server ticks")
    private long idleTimeout = 30_000;
    @Metadata(label = "advanced", defaultValue = "10000",
              description = "Frames of one connection waiting for the route beyond which its socket is paused (backpressure)")
    private int maxPendingFrames = 10_000;
    @Metadata(label = "advanced", defaultValue = "16777216",
              description = "Characters of frames waiting for the routes, over all connections, beyond which every connection is paused until half of them are processed")
    private long maxPendingChars = 16L * 1024 * 1024;
    @Metadata(label = "advanced", defaultValue = "16777216",
              description = "Largest WebSocket message, in bytes, the client accepts; a larger one closes the connection, which is then reconnected")
    private int maxMessageBytes = 16 * 1024 * 1024;
    @Metadata(label = "consumer",
              description = "A PEM file of CA certificates to trust for wss://, besides the JVM's own")
    private String trustCaFile;
    @Metadata(label = "advanced", defaultValue = "2",
              description = "Threads that process the frames of all connections; each connection's frames still run one at a time, in arrival order")
    private int frameThreads = 2;
    @Metadata(label = "advanced", defaultValue = "1000",
              description = "How long, in ms, each connection remembers its last few frames, so that an exact copy of one"
                            + " is marked with the RepeatedFrame header before anything parses it; 0: frames are not remembered")
    private long repeatedFrameWindow = 1000;

    private final Map<String, ReconnectingWebsocketConsumer> consumers = new ConcurrentHashMap<>();
    /** Characters of the frames received and not yet processed, over all connections. */
    private final AtomicLong pendingChars = new AtomicLong();
    private ExecutorService frameExecutor;
    private FrameLanes frameLanes;

    @Override
    protected void doStop() throws Exception {
        // The consumers, stopped before their component, have closed their lanes.
        synchronized (this) {
            if (frameExecutor != null) {
                getCamelContext().getExecutorServiceManager().shutdownGraceful(frameExecutor);
                frameExecutor = null;
                frameLanes = null;
            }
        }
        super.doStop();
    }

    @Override
    protected org.apache.camel.Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters)
            throws Exception {
        ReconnectingWebsocketEndpoint endpoint = (ReconnectingWebsocketEndpoint) super.createEndpoint(uri,
                remaining.replaceFirst("^http(s?):", "ws$1:"), parameters);
        if (endpoint.getAccount() == null) {
            endpoint.setAccount(endpoint.getConfiguration().getWebsocketURI().getHost());
        }
        return endpoint;
    }

    @Override
    protected VertxWebsocketEndpoint createEndpointInstance(String uri, VertxWebsocketConfiguration configuration) {
        HttpClientOptions options = new HttpClientOptions().setConnectTimeout((int) connectTimeout)
                .setMaxWebSocketFrameSize(maxMessageBytes).setMaxWebSocketMessageSize(maxMessageBytes);
        if (trustCaFile != null && !trustCaFile.isBlank()) {
            options.setTrustOptions(new PemTrustOptions().addCertPath(trustCaFile.trim()));
        }
        configuration.setClientOptions(options);
        return new ReconnectingWebsocketEndpoint(uri, this, configuration);
    }

    /** A lane on the shared frame threads for one connection's frames. */
    synchronized FrameLanes.Lane frameLane(String account) {
        if (frameLanes == null) {
            // Made with the first consumer, once the component's options are set. A queue that never refuses: it
            // holds at most one turn per connection (the frames wait in the lanes, bounded by maxPendingFrames and
            // maxPendingChars); Camel's default profile would bound it at 1000 and then run the turn on the
            // caller, the Vert.x event loop.
            ThreadPoolProfile profile = new ThreadPoolProfile("gateway-frames");
            profile.setPoolSize(frameThreads);
            profile.setMaxPoolSize(frameThreads);
            profile.setKeepAliveTime(0L);
            profile.setAllowCoreThreadTimeOut(false);
            profile.setMaxQueueSize(Integer.MAX_VALUE);
            profile.setRejectedPolicy(ThreadPoolRejectedPolicy.Abort);
            frameExecutor = getCamelContext().getExecutorServiceManager().newThreadPool(this, "gateway-frames", profile);
            frameLanes = new FrameLanes(frameExecutor);
        }
        return frameLanes.lane(account);
    }

    /** Tells the {@link ConnectionListener}s in the registry that an account's connection starts. */
    void connectionStarting(String account) {
        tellListeners(account, "starting", ConnectionListener::starting);
    }

    /** Tells the {@link ConnectionListener}s in the registry that an account's connection stopped. */
    void connectionStopped(String account) {
        tellListeners(account, "stopped", ConnectionListener::stopped);
    }

    private void tellListeners(String account, String event, BiConsumer<ConnectionListener, String> call) {
        for (ConnectionListener listener : getCamelContext().getRegistry().findByType(ConnectionListener.class)) {
            try {
                call.accept(listener, account);
            } catch (RuntimeException e) {
                // The connection opens or closes all the same.
                LOG.warn("account={} listener={} event={} outcome=failed reason={}", account,
                        listener.getClass().getSimpleName(), event, e.toString());
            }
        }
    }

    void register(ReconnectingWebsocketConsumer consumer) {
        consumers.put(consumer.getEndpoint().getAccount(), consumer);
    }

    void unregister(ReconnectingWebsocketConsumer consumer) {
        consumers.remove(consumer.getEndpoint().getAccount(), consumer);
    }

    /** Counts a received frame's characters as waiting; true when the frames waiting use up the budget. */
    boolean framePending(int chars) {
        return pendingChars.addAndGet(chars) >= maxPendingChars;
    }

    /**
     * Counts a frame's characters as processed. When that brings the frames waiting down to half the budget, the
     * connections paused for it are resumed: one whose own frames are all processed would not look again.
     */
    void frameDone(long chars) {
        long half = maxPendingChars / 2;
        long after = pendingChars.addAndGet(-chars);
        if (after <= half && after + chars > half) {
            consumers.values().forEach(ReconnectingWebsocketConsumer::resumeIfBelowLimits);
        }
    }

    boolean pendingCharsAtMostHalf() {
        return pendingChars.get() <= maxPendingChars / 2;
    }

    /** Characters of the frames received and not yet processed by the routes, over all connections. */
    public long getPendingChars() {
        return pendingChars.get();
    }

    /** The status of every connection this component holds, one per account. */
    public List<ConnectionStatus> getConnectionStatuses() {
        return consumers.values().stream().map(ReconnectingWebsocketConsumer::status).toList();
    }

    ReconnectPolicy reconnectPolicy() {
        return new ReconnectPolicy(reconnectBaseDelay, reconnectMaxDelay);
    }

    /** Delay before the first reconnect attempt, in ms; it doubles with each failed attempt. */
    public void setReconnectBaseDelay(long reconnectBaseDelay) {
        this.reconnectBaseDelay = reconnectBaseDelay;
    }

    public long getReconnectBaseDelay() {
        return reconnectBaseDelay;
    }

    /** Longest delay between reconnect attempts, in ms. */
    public void setReconnectMaxDelay(long reconnectMaxDelay) {
        this.reconnectMaxDelay = reconnectMaxDelay;
    }

    public long getReconnectMaxDelay() {
        return reconnectMaxDelay;
    }

    /** How long, in ms, the application-level handshake may take after the socket opened. */
    public void setHandshakeTimeout(long handshakeTimeout) {
        this.handshakeTimeout = handshakeTimeout;
    }

    public long getHandshakeTimeout() {
        return handshakeTimeout;
    }

    /** TCP and WebSocket upgrade timeout, in ms. */
    public void setConnectTimeout(long connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public long getConnectTimeout() {
        return connectTimeout;
    }

    /** Silence, in ms, after which a connection counts as dead until the session says otherwise. */
    public void setIdleTimeout(long idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public long getIdleTimeout() {
        return idleTimeout;
    }

    /** Frames waiting for the route beyond which the socket is paused (backpressure). */
    public void setMaxPendingFrames(int maxPendingFrames) {
        this.maxPendingFrames = maxPendingFrames;
    }

    public int getMaxPendingFrames() {
        return maxPendingFrames;
    }

    /**
     * Characters of frames waiting for the routes, over all connections, beyond which every connection is paused
     * until half of them are processed: what bounds the memory the waiting frames hold, however many accounts.
     */
    public void setMaxPendingChars(long maxPendingChars) {
        if (maxPendingChars <= 0) {
            throw new IllegalArgumentException("maxPendingChars must be positive, was " + maxPendingChars);
        }
        this.maxPendingChars = maxPendingChars;
    }

    public long getMaxPendingChars() {
        return maxPendingChars;
    }

    /**
     * Largest WebSocket message, in bytes, the client accepts; a larger one closes the connection (code 1009),
     * which is then reconnected. Keep it well above the routes' own frame size cap, which drops frames cleanly.
     */
    public void setMaxMessageBytes(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    public int getMaxMessageBytes() {
        return maxMessageBytes;
    }

    /**
     * Threads that process the frames of all connections. Each connection's frames still run one at a time, in
     * arrival order; more threads let more connections be processed at once.
     */
    public void setFrameThreads(int frameThreads) {
        if (frameThreads <= 0) {
            throw new IllegalArgumentException("frameThreads must be positive, was " + frameThreads);
        }
        this.frameThreads = frameThreads;
    }

    public int getFrameThreads() {
        return frameThreads;
    }

    public long getRepeatedFrameWindow() {
        return repeatedFrameWindow;
    }

    public void setRepeatedFrameWindow(long repeatedFrameWindow) {
        if (repeatedFrameWindow < 0) {
            throw new IllegalArgumentException("repeatedFrameWindow must not be negative, was " + repeatedFrameWindow);
        }
        this.repeatedFrameWindow = repeatedFrameWindow;
    }

    /** A PEM file of CA certificates to trust for {@code wss://}, besides the JVM's own. */
    public void setTrustCaFile(String trustCaFile) {
        this.trustCaFile = trustCaFile;
    }

    public String getTrustCaFile() {
        return trustCaFile;
    }
}
