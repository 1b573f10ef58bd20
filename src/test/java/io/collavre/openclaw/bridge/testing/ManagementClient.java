package io.collavre.openclaw.bridge.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import io.vertx.core.json.JsonObject;

/** Reads the bridge's management HTTP server: health checks and Prometheus metrics. */
public final class ManagementClient {

    public record Response(int status, String body) {
        public JsonObject json() {
            return new JsonObject(body);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    public ManagementClient(String host, int port) {
        this.base = "http://" + host + ":" + port;
    }

    public String url(String path) {
        return base + path;
    }

    public Response get(String path) throws IOException, InterruptedException {
        return get(path, "*/*");
    }

    /** A GET asking for the given media type (the developer console answers JSON to application/json). */
    public Response get(String path, String accept) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url(path)))
                .header("Accept", accept).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body());
    }

    /** Readiness with every check and its details. */
    public Response readiness() throws IOException, InterruptedException {
        return get("/observe/health/ready?exposureLevel=full&data=true");
    }

    public Response liveness() throws IOException, InterruptedException {
        return get("/observe/health/live?exposureLevel=full");
    }

    /** The Prometheus text of {@code /observe/metrics}. */
    public String scrape() throws IOException, InterruptedException {
        Response response = get("/observe/metrics");
        if (response.status() != 200) {
            throw new IllegalStateException("metrics answered " + response.status());
        }
        return response.body();
    }

    /** The sample lines of the bridge's own meters ({@code openclaw_bridge_*}). */
    public static List<String> bridgeSamples(String scrape) {
        return scrape.lines().filter(l -> l.startsWith("openclaw_bridge_")).toList();
    }

    /**
     * The sum of the samples named {@code name} that carry every {@code label="value"} given as pairs; 0 when there
     * is none (Micrometer creates a counter on its first increment).
     */
    public static double sample(String scrape, String name, String... labels) {
        return scrape.lines()
                .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> {
                    for (int i = 0; i + 1 < labels.length; i += 2) {
                        if (!l.contains(labels[i] + "=\"" + labels[i + 1] + "\"")) {
                            return false;
                        }
                    }
                    return true;
                })
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** The check named {@code name} in a health answer given with {@code exposureLevel=full}. */
    public static JsonObject check(JsonObject health, String name) {
        return health.getJsonArray("checks").stream().map(JsonObject.class::cast)
                .filter(c -> name.equals(c.getString("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + health.encode()));
    }
}
