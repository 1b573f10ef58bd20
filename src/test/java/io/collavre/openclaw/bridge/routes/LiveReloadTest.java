package io.collavre.openclaw.bridge.routes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import io.collavre.openclaw.bridge.ops.RoutesReload;
import io.collavre.openclaw.bridge.testing.BridgeFixture;
import io.collavre.openclaw.bridge.testing.CapturedLogs;
import org.apache.camel.ServiceStatus;
import org.apache.camel.model.Model;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.collavre.openclaw.bridge.testing.GatewaySimulator.chat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live reload as an integration engineer meets it: the bridge runs on a copy of the project's routes folder, a
 * file of it is saved with a change, and the run open across the edit still reaches Collavre once with its exact
 * text; the connection stays up (or, for the template, reconnects at once); a broken edit is refused in one line.
 */
class LiveReloadTest {

    static final String KEY = "agent:ai-bot:collavre:42:creative:100";

    @TempDir
    Path dir;

    private Path routes;
    private BridgeFixture fixture;
    private RoutesReload reload;

    @BeforeEach
    void start() throws Exception {
        routes = dir.resolve("routes");
        Files.createDirectories(routes);
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        fixture = BridgeFixture.start(Map.of("bridge.routes-dir", routes.toString(),
                "bridge.data-dir", dir.resolve("data").toString(),
                // A retry long enough after a refused post for the files of its route to be saved meanwhile.
                "collavre.redelivery.initial-delay-ms", "3000"));
        reload = fixture.context().getRegistry().lookupByNameAndType("routesReload", RoutesReload.class);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void editingTheDispatchKeepsTheOpenRunTheDedupMemoryAndTheConnection() throws Exception {
        fixture.sendCompleting(1, chat("run-before", 1, "final", KEY, "Posted before the edit"));
        fixture.send(chat("run-open", 1, "delta", KEY, "Open across"));

        save("collavre-dispatch.yaml", yaml -> yaml.replace(
                "description: Decides whether a completed run is posted to Collavre, once, and hands it to the delivery",
                "description: Decides whether a completed run is posted (edited)"));

        assertEquals("Decides whether a completed run is posted (edited)",
                fixture.context().getRoute("collavre-dispatch").getDescription());
        fixture.sendCompleting(2,
                chat("run-open", 2, "final", KEY, "Open across the edit"),
                // A later final of a run dispatched before the edit, with its text: the dedup memory must still know it.
                chat("run-before", 2, "final", KEY, "Posted before the edit"));
        assertPostedOnce("run-open", "Open across the edit");
        assertPostedOnce("run-before", "Posted before the edit");
        assertEquals(1, fixture.gateway.handshakes(), "the Gateway connection stayed up");
    }

    @Test
    void editingTheAggregatorsFileKeepsTheRunItBuffers() throws Exception {
        fixture.send(chat("run-open", 1, "delta", KEY, "Buffered before"));

        save("run-buffer.yaml", yaml -> yaml.replace(
                "description: The Aggregator holding one buffer per run, completed by the run's final or purged after the TTL",
                "description: The Aggregator (edited)"));

        assertEquals("The Aggregator (edited)", fixture.context().getRoute("run-buffer-aggregate").getDescription());
        assertTrue(fixture.isBuffered("run-open"), "the open buffer survived the Aggregator's reload");
        fixture.send(chat("run-open", 2, "delta", KEY, "Buffered before and after"));
        fixture.sendCompleting(1, chat("run-open", 3, "final", KEY, null));
        assertPostedOnce("run-open", "Buffered before and after");
        assertEquals(1, fixture.gateway.handshakes(), "the Gateway connection stayed up");
    }

    @Test
    void editingTheConnectionTemplateRecreatesTheConnectionAtOnceAndKeepsTheRun() throws Exception {
        fixture.send(chat("run-open", 1, "delta", KEY, "Before the reconnect"));

        save("gateway-connection.yaml", yaml -> yaml.replace(
                "description: Holds one Gateway account's WebSocket connection and passes its chat events on",
                "description: Holds one Gateway connection (edited)"));

        assertEquals("Holds one Gateway connection (edited)",
                fixture.context().getRoute("gateway-connection-default").getDescription());
        await().atMost(BridgeFixture.WAIT).until(() -> fixture.gateway.handshakes() == 2
                                                       && fixture.gateway.establishedConnections() == 1);
        fixture.send(chat("run-open", 2, "delta", KEY, "Before the reconnect, and after"));
        fixture.sendCompleting(1, chat("run-open", 3, "final", KEY, null));
        assertPostedOnce("run-open", "Before the reconnect, and after");
    }

    @Test
    void editingTheDeliveryWhileARunWaitsForItsRetryDeliversItOnce() throws Exception {
        // The first post is refused: the run waits for its retry on the backlog while its route is replaced (the
        // reload waits for the delivery in flight, as a graceful stop of the route does).
        fixture.collavre.respondWith(503);
        fixture.send(chat("run-retried", 1, "final", KEY, "Retried across the edit"));
        await().atMost(BridgeFixture.WAIT).until(() -> fixture.collavre.postsFor("run-retried").size() == 1);

        save("collavre-delivery.yaml", yaml -> yaml.replace(
                "description: Posts a run's JSON document to Collavre, retrying transient failures, dead-lettering the rest",
                "description: Posts a run to Collavre (edited)"));
        save("dead-letters.yaml", yaml -> yaml.replace(
                "description: Writes a Collavre post that failed for good to the dead letter store, without secrets",
                "description: Writes a dead letter (edited)"));

        assertPostedOnce("run-retried", "Retried across the edit");
        assertEquals(2, fixture.collavre.postsFor("run-retried").size(), "one refused post, one retry");
        assertTrue(Files.notExists(dir.resolve("data/dead-letters/replay")) || isEmpty(dir.resolve("data/dead-letters/replay")),
                "nothing written for replay: the delivery was never cut short");
    }

    @Test
    void aBrokenEditIsRefusedInOneLineAndThePreviousRoutesKeepRunning() throws Exception {
        fixture.send(chat("run-open", 1, "delta", KEY, "Still"));
        try (CapturedLogs errors = CapturedLogs.warnings()) {
            // A bean that does not exist: the file parses, the route cannot start.
            saveRefused("collavre-dispatch.yaml", yaml -> yaml.replace("ref: dispatchedRuns", "ref: noSuchBean")
                    .replace("\"#dispatchedRuns\"", "\"#noSuchBean\""));
            // Not YAML at all.
            saveRefused("run-buffer.yaml", yaml -> yaml + "\n  - this: [is not\n");
            // A template file that does not parse: its template stays as it was.
            saveRefused("gateway-connection.yaml", yaml -> yaml + "\n  - this: [is not\n");

            List<String> refused = errors.lines().stream().filter(line -> line.contains("routes-reload")).toList();
            assertEquals(3, refused.size(), String.join("\n", errors.lines()));
            assertTrue(refused.get(0).contains("file=collavre-dispatch.yaml outcome=refused")
                       && refused.get(0).contains("noSuchBean"), refused.get(0));
            assertTrue(refused.get(1).contains("file=run-buffer.yaml outcome=refused"), refused.get(1));
        }
        for (String routeId : List.of("collavre-dispatch", "run-buffer", "run-buffer-aggregate",
                "gateway-connection-default")) {
            assertEquals(ServiceStatus.Started, fixture.context().getRouteController().getRouteStatus(routeId), routeId);
        }
        assertTrue(fixture.context().getCamelContextExtension().getContextPlugin(Model.class)
                .getRouteTemplateDefinition("gateway-connection") != null, "the template is still there");
        fixture.sendCompleting(1, chat("run-open", 2, "final", KEY, "Still delivered"));
        assertPostedOnce("run-open", "Still delivered");
        assertEquals(1, fixture.gateway.handshakes(), "the Gateway connection stayed up");
    }

    private void save(String file, UnaryOperator<String> edit) throws IOException {
        int before = reload.getReloads();
        write(file, edit);
        await().atMost(BridgeFixture.WAIT).until(() -> reload.getReloads() == before + 1);
    }

    private void saveRefused(String file, UnaryOperator<String> edit) throws IOException {
        int before = reload.getRefusals();
        write(file, edit);
        await().atMost(BridgeFixture.WAIT).until(() -> reload.getRefusals() == before + 1);
    }

    private void write(String file, UnaryOperator<String> edit) throws IOException {
        Path path = routes.resolve(file);
        String yaml = Files.readString(path, StandardCharsets.UTF_8);
        String edited = edit.apply(yaml);
        assertTrue(!edited.equals(yaml), "the edit changes " + file);
        Files.writeString(path, edited, StandardCharsets.UTF_8);
    }

    private static boolean isEmpty(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.findAny().isEmpty();
        }
    }

    private void assertPostedOnce(String runId, String text) {
        await().atMost(BridgeFixture.WAIT).until(() -> !fixture.collavre.acceptedFor(runId).isEmpty());
        assertEquals(1, fixture.collavre.acceptedFor(runId).size(), runId + " posted once");
        assertEquals(text, fixture.collavre.acceptedFor(runId).get(0).json().getString("content"));
    }
}
