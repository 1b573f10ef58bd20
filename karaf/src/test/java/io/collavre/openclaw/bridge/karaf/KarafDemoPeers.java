package io.collavre.openclaw.bridge.karaf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import io.collavre.openclaw.bridge.testing.CollavreReceiver;
import io.collavre.openclaw.bridge.testing.CollavreReceiver.Post;
import io.collavre.openclaw.bridge.testing.GatewaySimulator;
import io.vertx.core.json.JsonObject;
import org.apache.camel.test.AvailablePortFinder;

import static org.awaitility.Awaitility.await;

/**
 * The two ends of the Karaf demo ({@code karaf/run-karaf-demo.sh}): a local Gateway simulator and a local
 * Collavre receiver, for a bridge that runs in another process (the Karaf container).
 *
 * <p>It writes the bridge settings that point at them to the file given as first argument (the script turns it
 * into {@code etc/io.collavre.openclaw.bridge.cfg}), waits until the bridge completed the Gateway handshake,
 * streams one proactive run (cumulative deltas, a duplicated frame, the final), and checks what Collavre
 * received. It prints {@code PASSED: run <runId> ...} or {@code FAILED: ...}, then keeps both servers up until
 * its standard input ends, so that the bridge gets Collavre's answer while the script checks the bridge's log.
 * Exit code 0 when the run arrived once with the expected content and headers, 1 otherwise.
 */
public final class KarafDemoPeers {

    static final String OWNER = "42";
    static final String SESSION_KEY = "agent:ai-bot:collavre:42:creative:100:topic:200";
    static final String EXPECTED = "Good morning! Your stand-up starts at ten; the notes are in the creative.";

    private KarafDemoPeers() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: KarafDemoPeers <settings-file> [handshake-timeout-seconds]");
            System.exit(2);
        }
        Path settingsFile = Path.of(args[0]);
        Duration handshakeTimeout = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 300);
        // Fresh secrets each run: the script checks that neither appears in Karaf's log.
        String gatewayToken = "gw-" + UUID.randomUUID();
        String collavreToken = "cv-" + UUID.randomUUID();

        int status;
        try (GatewaySimulator gateway = new GatewaySimulator(GatewaySimulator.freePort(), gatewayToken).start();
             CollavreReceiver collavre = new CollavreReceiver(AvailablePortFinder.getNextAvailable())) {
            writeSettings(settingsFile, gateway, gatewayToken, collavre, collavreToken);
            System.out.println("peers: gateway=" + gateway.url() + " collavre=" + collavre.url()
                               + " settings=" + settingsFile);
            status = run(gateway, collavre, collavreToken, handshakeTimeout);
            System.out.flush();
            // The post is recorded before it is answered: stay up until the caller has seen the bridge finish.
            while (System.in.read() >= 0) {
                // the caller closes standard input when done
            }
        }
        System.exit(status);
    }

    private static int run(GatewaySimulator gateway, CollavreReceiver collavre, String collavreToken,
                           Duration handshakeTimeout) throws InterruptedException {
        try {
            await().atMost(handshakeTimeout).pollInterval(Duration.ofMillis(200)).until(() -> gateway.handshakes() >= 1);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            System.out.println("FAILED: the bridge did not complete the Gateway handshake within " + handshakeTimeout);
            return 1;
        }
        System.out.println("peers: bridge connected and completed the handshake");
        // Keepalive like a real Gateway, so that the bridge's idle watchdog sees a live connection.
        gateway.startTicks(5_000);

        String runId = "karaf-run-" + UUID.randomUUID().toString().substring(0, 8);
        String second = GatewaySimulator.chat(runId, 2, "delta", SESSION_KEY, "Good morning! Your stand-up starts at ten;");
        gateway.send(GatewaySimulator.chat(runId, 1, "delta", SESSION_KEY, "Good morning!"));
        gateway.send(second);
        gateway.send(second);
        gateway.send(GatewaySimulator.chat(runId, 3, "delta", SESSION_KEY, EXPECTED));
        gateway.send(GatewaySimulator.chat(runId, 4, "final", SESSION_KEY, null));
        System.out.println("peers: sent run " + runId + " (3 cumulative deltas, 1 duplicated frame, final)");

        Post post;
        try {
            post = collavre.awaitPost(Duration.ofSeconds(30));
        } catch (AssertionError e) {
            System.out.println("FAILED: " + e.getMessage());
            return 1;
        }
        JsonObject body = post.json();
        System.out.println("collavre received: " + post.method() + " " + post.path()
                           + " Idempotency-Key=" + post.header("idempotency-key")
                           + " Authorization=" + (post.header("authorization") == null ? "absent" : "Bearer ***"));
        System.out.println("collavre received body: " + body.encode());

        List<String> problems = new ArrayList<>();
        expect(problems, "method", "POST", post.method());
        expect(problems, "path", CollavreReceiver.PATH, post.path());
        expect(problems, "run_id", runId, body.getString("run_id"));
        expect(problems, "content", EXPECTED, body.getString("content"));
        expect(problems, "user_id", Long.valueOf(OWNER), body.getLong("user_id"));
        expect(problems, "creative_id", 100L, body.getLong("creative_id"));
        expect(problems, "Idempotency-Key", runId, post.header("idempotency-key"));
        expect(problems, "Authorization", "Bearer " + collavreToken, post.header("authorization"));
        expect(problems, "posts for the run", 1, collavre.postsFor(runId).size());
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.out.println("FAILED: " + p));
            return 1;
        }
        System.out.println("PASSED: run " + runId + " dispatched once to Collavre through the bridge in Karaf");
        return 0;
    }

    private static void expect(List<String> problems, String what, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            problems.add(what + ": expected " + (what.equals("Authorization") ? "the configured token" : expected)
                         + " but was " + (what.equals("Authorization") ? (actual == null ? "absent" : "another value") : actual));
        }
    }

    /** Karaf cfg lines for the bridge, written at once so that a reader never sees half of them. */
    private static void writeSettings(Path file, GatewaySimulator gateway, String gatewayToken,
                                      CollavreReceiver collavre, String collavreToken) throws IOException {
        String settings = String.join("\n",
                "# Written by KarafDemoPeers: the bridge in Karaf talks to the local simulators.",
                "openclaw.gateway.owner-id = " + OWNER,
                "openclaw.gateway.account = karaf-demo",
                "openclaw.gateway.url = " + gateway.url(),
                "openclaw.gateway.token = " + gatewayToken,
                "openclaw.gateway.reconnect-max-delay-ms = 2000",
                "collavre.url = " + collavre.url(),
                "collavre.token = " + collavreToken,
                "");
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, "settings", ".tmp");
        Files.writeString(tmp, settings, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
