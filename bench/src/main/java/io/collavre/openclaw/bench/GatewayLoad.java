package io.collavre.openclaw.bench;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;

/**
 * A local WebSocket server playing the OpenClaw Gateway for {@code connections} accounts (path
 * {@code /acct-<n>}, token {@code tok-<n>}): handshake ({@code connect.challenge}, the client's {@code connect}
 * request, {@code res ok} with {@code policy.tickIntervalMs}), ticks, and the phases' chat streams.
 *
 * <p>Streaming runs on the caller's thread: one frame at a time per connection, connections in turn, never
 * writing to a connection whose write queue is full (the client's pace is the stream's pace), optionally paced
 * to a frame rate. Within one connection the frame order depends only on the seed.
 */
final class GatewayLoad implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    private final HttpServer server;
    private final ServerWebSocket[] sockets;
    private final CountDownLatch established;
    private final long tickIntervalMs;
    private final long tickTimer;
    /** Per connection: when a frame of a stream or a tick was last handed to its socket, to explain a close. */
    private final AtomicLongArray lastFrameWritten;
    private final AtomicLongArray lastTickWritten;
    /** Set once the benchmark stops the subject: its connections close then as they should. */
    private volatile boolean subjectStopping;
    /** Per connection: since when a stream found its write queue full (0: not full when last looked at). */
    private final AtomicLongArray writeQueueFullSince;

    GatewayLoad(int connections, long tickIntervalMs) {
        this.sockets = new ServerWebSocket[connections];
        this.established = new CountDownLatch(connections);
        this.lastFrameWritten = new AtomicLongArray(connections);
        this.lastTickWritten = new AtomicLongArray(connections);
        this.writeQueueFullSince = new AtomicLongArray(connections);
        this.tickIntervalMs = tickIntervalMs;
        this.server = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .webSocketHandler(this::accept).listen());
        this.tickTimer = vertx.setPeriodic(tickIntervalMs, id -> tick());
    }

    String url(int connection) {
        return "ws://127.0.0.1:" + server.actualPort() + "/acct-" + connection;
    }

    static String token(int connection) {
        return "tok-" + connection;
    }

    /** Waits until every account completed the handshake. */
    void awaitEstablished(long timeoutMs) throws InterruptedException {
        if (!established.await(timeoutMs, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException((established.getCount()) + " of " + sockets.length
                                            + " Gateway connections did not complete the handshake within " + timeoutMs + " ms");
        }
    }

    private void accept(ServerWebSocket ws) {
        int connection;
        try {
            connection = Integer.parseInt(ws.path().substring("/acct-".length()));
        } catch (RuntimeException e) {
            ws.close((short) 4003, "unknown account");
            return;
        }
        if (connection < 0 || connection >= sockets.length) {
            ws.close((short) 4003, "unknown account");
            return;
        }
        ws.closeHandler(v -> {
            if (sockets[connection] == ws && !subjectStopping) {
                // What the stand-in did on the connection before the subject closed it: the bench then fails.
                long now = System.nanoTime();
                long fullSince = writeQueueFullSince.get(connection);
                System.err.printf(Locale.ROOT, "acct-%d closed by the subject (%s %s): write queue full for %d ms,"
                                  + " last frame written %d ms ago, last tick %d ms ago%n", connection,
                        ws.closeStatusCode(), ws.closeReason(), fullSince == 0 ? 0 : (now - fullSince) / 1_000_000,
                        (now - lastFrameWritten.get(connection)) / 1_000_000,
                        (now - lastTickWritten.get(connection)) / 1_000_000);
            }
        });
        ws.textMessageHandler(text -> {
            Map<?, ?> frame;
            try {
                frame = JSON.readValue(text, Map.class);
            } catch (Exception e) {
                return;
            }
            if (!"req".equals(frame.get("type")) || !"connect".equals(frame.get("method"))) {
                return;
            }
            Object token = frame.get("params") instanceof Map<?, ?> params && params.get("auth") instanceof Map<?, ?> auth
                    ? auth.get("token") : null;
            if (!token(connection).equals(token)) {
                ws.writeTextMessage("{\"type\":\"res\",\"id\":\"" + frame.get("id")
                                    + "\",\"ok\":false,\"error\":{\"message\":\"invalid token\"}}");
                ws.close((short) 4001, "invalid token");
                return;
            }
            ws.writeTextMessage("{\"type\":\"res\",\"id\":\"" + frame.get("id") + "\",\"ok\":true,\"payload\":"
                                + "{\"type\":\"hello-ok\",\"policy\":{\"tickIntervalMs\":" + tickIntervalMs + "}}}")
                    .onSuccess(v -> {
                        boolean first = sockets[connection] == null;
                        sockets[connection] = ws;
                        if (first) {
                            established.countDown();
                        }
                    });
        });
        ws.writeTextMessage("{\"type\":\"event\",\"event\":\"connect.challenge\",\"payload\":{\"nonce\":\"n-"
                            + System.nanoTime() + "\",\"ts\":" + System.currentTimeMillis() + "}}");
    }

    private void tick() {
        String tick = "{\"type\":\"event\",\"event\":\"tick\",\"payload\":{\"ts\":" + System.currentTimeMillis() + "}}";
        for (int c = 0; c < sockets.length; c++) {
            ServerWebSocket ws = sockets[c];
            if (ws != null && !ws.isClosed()) {
                int connection = c;
                ws.writeTextMessage(tick).onSuccess(v -> lastTickWritten.set(connection, System.nanoTime()));
            }
        }
    }

    /** The benchmark stops the subject: the connections it closes from now on are not reported. */
    void subjectStopping() {
        subjectStopping = true;
    }

    /** Sends one frame on a connection, beside a stream running on another thread (Vert.x orders the writes). */
    void send(int connection, String frame) {
        sockets[connection].writeTextMessage(frame);
    }

    /** What the stream of one phase did. */
    record Streamed(long frames, long startNanos, long endNanos) {
    }

    /**
     * Streams the runs: each connection keeps up to {@code concurrentPerConnection} runs open at once and sends
     * the next event of one of them, picked at random; a share {@code duplicateShare} of frames is sent a second
     * time, 0 to 3 frames later. When {@code framesPerSecond} is positive the stream is paced to that rate.
     *
     * @param finalSentNanos receives, per run index, the time the run's final was first handed to the socket
     */
    Streamed stream(List<Workload.Run> runs, int concurrentPerConnection, double duplicateShare,
                    double framesPerSecond, long seed, AtomicLongArray finalSentNanos, int indexBase) {
        Lane[] lanes = new Lane[sockets.length];
        for (int c = 0; c < lanes.length; c++) {
            lanes[c] = new Lane(c, sockets[c], concurrentPerConnection, duplicateShare, new Random(seed * 31 + c));
        }
        for (Workload.Run run : runs) {
            lanes[run.connection()].queue.add(run);
        }
        // Woken when a connection's write queue drains or its frames in flight fall to half, instead of polling:
        // polling would take CPU from the subject.
        Semaphore drained = new Semaphore(0);
        for (Lane lane : lanes) {
            lane.ws.drainHandler(v -> drained.release());
        }
        long frames = 0;
        long start = System.nanoTime();
        double nanosPerFrame = framesPerSecond > 0 ? 1e9 / framesPerSecond : 0;
        int remaining = lanes.length;
        while (remaining > 0) {
            boolean wrote = false;
            remaining = 0;
            for (Lane lane : lanes) {
                if (lane.done) {
                    continue;
                }
                remaining++;
                // A few frames per connection per turn when unpaced; one when paced, so connections share the rate.
                int burst = nanosPerFrame > 0 ? 1 : 8;
                if (lane.full()) {
                    writeQueueFullSince.compareAndSet(lane.connection, 0, System.nanoTime());
                    continue;
                }
                writeQueueFullSince.set(lane.connection, 0);
                for (int b = 0; b < burst && !lane.full(); b++) {
                    String frame = lane.next();
                    if (frame == null) {
                        lane.done = true;
                        break;
                    }
                    if (nanosPerFrame > 0) {
                        long due = start + (long) (frames * nanosPerFrame);
                        long wait;
                        while ((wait = due - System.nanoTime()) > 0) {
                            LockSupport.parkNanos(Math.min(wait, 200_000));
                        }
                    }
                    if (lane.finalRun != null) {
                        finalSentNanos.compareAndSet(lane.finalRun.index() - indexBase, 0, System.nanoTime());
                    }
                    lane.inFlight.incrementAndGet();
                    lane.ws.writeTextMessage(frame).onComplete(written -> {
                        if (lane.inFlight.decrementAndGet() == MAX_IN_FLIGHT / 2) {
                            drained.release();
                        }
                    });
                    lastFrameWritten.set(lane.connection, System.nanoTime());
                    frames++;
                    wrote = true;
                }
            }
            if (!wrote && remaining > 0) {
                // Every connection's write queue is full: the clients are behind. The timeout is a safety net only.
                try {
                    drained.tryAcquire(1, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while streaming", e);
                }
                drained.drainPermits();
            }
        }
        for (Lane lane : lanes) {
            lane.ws.drainHandler(null);
        }
        return new Streamed(frames, start, System.nanoTime());
    }

    /**
     * Frames of one connection handed to Vert.x and not yet written to the socket, beyond which the stream waits.
     * The write queue alone does not bound them: a write from the stream's thread is a task for the event loop, and
     * counts in the queue only once the event loop runs it. Without this bound the stream outran the stand-in's one
     * event loop by seconds, and every frame queued behind (ticks too, which the subject then missed for twice the
     * tick interval, taking the connection for dead) was sent that much later than measured.
     */
    static final int MAX_IN_FLIGHT = 64;

    /** The stream state of one connection. */
    private static final class Lane {
        final int connection;
        final ServerWebSocket ws;
        final AtomicInteger inFlight = new AtomicInteger();
        final ArrayDeque<Workload.Run> queue = new ArrayDeque<>();
        final Workload.Run[] active;
        final int[] nextEvent;
        final double duplicateShare;
        final Random random;
        final ArrayDeque<Object[]> duplicates = new ArrayDeque<>();
        int activeCount;
        long counter;
        boolean done;
        /** The run whose final the last frame returned by next() is (first copy only), or null. */
        Workload.Run finalRun;

        Lane(int connection, ServerWebSocket ws, int concurrent, double duplicateShare, Random random) {
            this.connection = connection;
            this.ws = ws;
            this.active = new Workload.Run[concurrent];
            this.nextEvent = new int[concurrent];
            this.duplicateShare = duplicateShare;
            this.random = random;
        }

        /** True while the socket cannot take a frame more: its write queue full or too many frames in flight. */
        boolean full() {
            return ws.writeQueueFull() || inFlight.get() >= MAX_IN_FLIGHT;
        }

        String next() {
            finalRun = null;
            counter++;
            Object[] due = duplicates.peek();
            if (due != null && (long) due[0] <= counter) {
                duplicates.poll();
                return (String) due[1];
            }
            while (activeCount < active.length && !queue.isEmpty()) {
                active[activeCount] = queue.poll();
                nextEvent[activeCount] = 1;
                activeCount++;
            }
            if (activeCount == 0) {
                Object[] last = duplicates.poll();
                return last == null ? null : (String) last[1];
            }
            int slot = random.nextInt(activeCount);
            Workload.Run run = active[slot];
            int k = nextEvent[slot]++;
            String frame = Workload.frame(run, k);
            if (Workload.isFinal(run, k)) {
                finalRun = run;
            }
            if (k >= Workload.events(run)) {
                activeCount--;
                active[slot] = active[activeCount];
                nextEvent[slot] = nextEvent[activeCount];
                active[activeCount] = null;
            }
            if (random.nextDouble() < duplicateShare) {
                duplicates.add(new Object[] {counter + 1 + random.nextInt(4), frame});
            }
            return frame;
        }
    }

    @Override
    public void close() {
        vertx.cancelTimer(tickTimer);
        try {
            await(server.close());
        } finally {
            await(vertx.close());
        }
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
