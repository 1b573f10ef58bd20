package io.collavre.openclaw.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local HTTP server playing Collavre: records the arrival time of every post and checks it against the run it
 * names: a run that should be posted, for the connection's owner and the session key's creative, with exactly
 * the run's text, and only once.
 */
final class CollavreSink implements AutoCloseable {

    static final String PATH = "/openclaw/proactive_messages";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] OK = "{\"ok\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /** What the sink knows about one run of the current subject. */
    static final class Expected {
        final Workload.Run run;
        final AtomicInteger posts = new AtomicInteger();
        volatile long arrivalNanos;

        Expected(Workload.Run run) {
            this.run = run;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "collavre-sink");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Expected> runs = new ConcurrentHashMap<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong lastArrivalNanos = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Queue<String> failureSamples = new ConcurrentLinkedQueue<>();
    /** While true the sink plays a Collavre that is down: every post is answered 503 and not recorded. */
    private volatile boolean down;
    private final AtomicLong refused = new AtomicLong();
    /** Posts that reached the sink (answered or refused), per second since the sink started. */
    private final Map<Long, AtomicInteger> attemptsPerSecond = new ConcurrentHashMap<>();
    private final long startNanos = System.nanoTime();

    CollavreSink() throws IOException {
        // Answer without waiting for the next packet (Nagle), as a real server behind a proxy would.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(executor);
        server.createContext(PATH, this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    /** Forgets every run and failure: a new subject starts. */
    void reset() {
        runs.clear();
        received.set(0);
        failures.set(0);
        failureSamples.clear();
    }

    void expect(Iterable<Workload.Run> phase) {
        for (Workload.Run run : phase) {
            runs.put(run.runId(), new Expected(run));
        }
    }

    Expected get(String runId) {
        return runs.get(runId);
    }

    long received() {
        return received.get();
    }

    long lastArrivalNanos() {
        return lastArrivalNanos.get();
    }

    long failures() {
        return failures.get();
    }

    Queue<String> failureSamples() {
        return failureSamples;
    }

    /** Plays a Collavre that is down (503 to every post) or up again. */
    void setDown(boolean down) {
        this.down = down;
    }

    long refused() {
        return refused.get();
    }

    /** The most posts (answered or refused) that reached the sink in one second, from {@code fromNanos} on. */
    int peakAttemptsPerSecond(long fromNanos) {
        long from = (fromNanos - startNanos) / 1_000_000_000L;
        return attemptsPerSecond.entrySet().stream().filter(e -> e.getKey() >= from)
                .mapToInt(e -> e.getValue().get()).max().orElse(0);
    }

    void fail(String why) {
        failures.incrementAndGet();
        if (failureSamples.size() < 20) {
            failureSamples.add(why);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        long arrival = System.nanoTime();
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        attemptsPerSecond.computeIfAbsent((arrival - startNanos) / 1_000_000_000L, k -> new AtomicInteger())
                .incrementAndGet();
        if (down) {
            refused.incrementAndGet();
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, OK.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(OK);
        }
        record(arrival, exchange.getRequestMethod(), exchange.getRequestHeaders().getFirst("Idempotency-Key"), body);
    }

    private void record(long arrival, String method, String idempotencyKey, byte[] body) {
        received.incrementAndGet();
        lastArrivalNanos.accumulateAndGet(arrival, Math::max);
        JsonNode post;
        try {
            post = JSON.readTree(body);
        } catch (IOException e) {
            fail("post is not JSON: " + e.getMessage());
            return;
        }
        String runId = post.path("run_id").asText(null);
        Expected expected = runId == null ? null : runs.get(runId);
        if (expected == null) {
            fail("post for an unknown run: " + runId);
            return;
        }
        Workload.Run run = expected.run;
        int count = expected.posts.incrementAndGet();
        if (count == 1) {
            expected.arrivalNanos = arrival;
        }
        if (!run.expectsPost()) {
            fail("run " + runId + " ended " + run.ending() + " but was posted");
        } else if (count > 1) {
            fail("run " + runId + " posted " + count + " times");
        }
        if (!"POST".equals(method) || !runId.equals(idempotencyKey)) {
            fail("run " + runId + ": method " + method + ", Idempotency-Key " + idempotencyKey);
        }
        if (!"proactive".equals(post.path("type").asText()) || post.path("user_id").asLong() != run.ownerId()
            || post.path("creative_id").asLong() != run.creativeId()) {
            fail("run " + runId + ": wrong type, user or creative: " + post.path("type") + " " + post.path("user_id")
                 + " " + post.path("creative_id"));
        }
        String content = post.path("content").asText(null);
        if (!run.expectedText().equals(content)) {
            fail("run " + runId + ": text differs (expected " + run.textLength() + " chars, got "
                 + (content == null ? "none" : content.length() + " chars") + ")");
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
