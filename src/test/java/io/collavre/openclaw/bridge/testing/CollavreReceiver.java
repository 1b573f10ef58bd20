package io.collavre.openclaw.bridge.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;

/** A local HTTP server that plays Collavre's proactive message endpoint and records every post. */
public final class CollavreReceiver implements AutoCloseable {

    public static final String PATH = "/openclaw/proactive_messages";

    /** One request as Collavre saw it, with the status it was answered with; header names are lower case. */
    public record Post(String method, String path, Map<String, String> headers, String body, Instant receivedAt,
                       int status) {
        public JsonObject json() {
            return new JsonObject(body);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public boolean accepted() {
            return status >= 200 && status < 300;
        }
    }

    /** How to answer one post: status, extra headers, body; with {@code hold}, the answer waits until it opens. */
    public record Reply(int status, Map<String, String> headers, String body, CountDownLatch hold) {
        public static Reply status(int status) {
            return new Reply(status, Map.of(), "{\"ok\":" + (status < 300) + "}", null);
        }

        public static Reply status(int status, String body) {
            return new Reply(status, Map.of(), body, null);
        }

        public static Reply tooManyRequests(String retryAfter) {
            return new Reply(429, Map.of("Retry-After", retryAfter), "{\"error\":\"slow down\"}", null);
        }

        public static Reply heldUntil(CountDownLatch hold) {
            return new Reply(200, Map.of(), "{\"ok\":true}", hold);
        }
    }

    private final int port;
    private volatile HttpServer server;
    private final BlockingQueue<Post> unread = new LinkedBlockingQueue<>();
    private final List<Post> all = new CopyOnWriteArrayList<>();
    private final Deque<Reply> replies = new ConcurrentLinkedDeque<>();

    public CollavreReceiver(int port) throws IOException {
        this.port = port;
        up();
    }

    /** Starts answering on the port (again). */
    public synchronized void up() throws IOException {
        if (server != null) {
            return;
        }
        HttpServer started = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        started.setExecutor(Executors.newFixedThreadPool(8));
        started.createContext("/", this::handle);
        started.start();
        server = started;
    }

    /** Stops listening: posts now fail with a refused connection, as when Collavre is down. */
    public synchronized void down() {
        HttpServer stopped = server;
        server = null;
        if (stopped != null) {
            stopped.stop(0);
            ((ExecutorService) stopped.getExecutor()).shutdownNow();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
        Reply reply = replies.poll();
        if (reply == null) {
            reply = Reply.status(200);
        }
        Post post = new Post(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body,
                Instant.now(), reply.status());
        all.add(post);
        unread.add(post);
        if (reply.hold() != null) {
            try {
                reply.hold().await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] response = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.sendResponseHeaders(reply.status(), response.length);
        exchange.getResponseBody().write(response);
        exchange.close();
    }

    /** The statuses to answer the next posts with, in order; afterwards 200. */
    public void respondWith(Integer... next) {
        for (Integer status : next) {
            replies.add(Reply.status(status));
        }
    }

    /** The replies to the next posts, in order; afterwards 200. */
    public void respond(Reply... next) {
        replies.addAll(List.of(next));
    }

    public Post awaitPost(Duration timeout) throws InterruptedException {
        Post post = unread.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (post == null) {
            throw new AssertionError("Collavre received no post within " + timeout);
        }
        return post;
    }

    /** Every post received so far. */
    public List<Post> posts() {
        return new ArrayList<>(all);
    }

    public List<Post> postsFor(String runId) {
        return all.stream().filter(p -> runId.equals(p.json().getString("run_id"))).toList();
    }

    /** The posts of the run that Collavre accepted (answered 2xx). */
    public List<Post> acceptedFor(String runId) {
        return postsFor(runId).stream().filter(Post::accepted).toList();
    }

    /** Every accepted post, in the order received. */
    public List<Post> accepted() {
        return all.stream().filter(Post::accepted).toList();
    }

    public void reset() {
        unread.clear();
        all.clear();
        replies.clear();
    }

    public String url() {
        return "http://127.0.0.1:" + port + PATH;
    }

    @Override
    public void close() {
        down();
    }
}
