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
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;

/** A local HTTP server that plays Collavre's proactive message endpoint and records every post. */
public final class CollavreReceiver implements AutoCloseable {

    public static final String PATH = "/openclaw/proactive_messages";

    /** One request as Collavre saw it; header names are lower case. */
    public record Post(String method, String path, Map<String, String> headers, String body, Instant receivedAt) {
        public JsonObject json() {
            return new JsonObject(body);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final HttpServer server;
    private final BlockingQueue<Post> unread = new LinkedBlockingQueue<>();
    private final List<Post> all = new CopyOnWriteArrayList<>();
    private final Deque<Integer> statuses = new ConcurrentLinkedDeque<>();

    public CollavreReceiver(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
        Post post = new Post(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body, Instant.now());
        all.add(post);
        unread.add(post);
        Integer status = statuses.poll();
        byte[] response = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status == null ? 200 : status, response.length);
        exchange.getResponseBody().write(response);
        exchange.close();
    }

    /** The statuses to answer the next posts with, in order; afterwards 200. */
    public void respondWith(Integer... next) {
        statuses.addAll(List.of(next));
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

    public void reset() {
        unread.clear();
        all.clear();
        statuses.clear();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
