package io.collavre.openclaw.bridge.demo;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.collavre.openclaw.bridge.demo.DemoScenario.Step;
import io.collavre.openclaw.bridge.ops.GatewayConnectionsHealthCheck;
import io.collavre.openclaw.bridge.testing.BridgeRunner;
import io.collavre.openclaw.bridge.testing.CollavreReceiver;
import io.collavre.openclaw.bridge.testing.CollavreReceiver.Post;
import io.collavre.openclaw.bridge.testing.FramesProcessed;
import io.collavre.openclaw.bridge.testing.GatewaySimulator;
import io.collavre.openclaw.bridge.testing.ManagementClient;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.AvailablePortFinder;

import static org.awaitility.Awaitility.await;

/**
 * The whole flow in one run, with no setup: starts a local Gateway simulator and a local Collavre receiver, starts
 * the bridge (the real routes and settings) between them, replays {@link DemoScenario}'s proactive runs frame by
 * frame with the bridge's decision for each, then prints what Collavre received, the readiness check and the
 * bridge's metrics. Exits 0 when Collavre received exactly the expected posts, 1 otherwise.
 *
 * <p>Run it with {@code mvn -B -q test-compile exec:exec}. It lives in the test sources: it is not in the jar.
 */
public final class BridgeDemo {

    static final Duration WAIT = Duration.ofSeconds(15);
    static final String GATEWAY_TOKEN = "demo-gateway-token";

    private BridgeDemo() {
    }

    public static void main(String[] args) throws Exception {
        // Before anything logs: the bridge's decision lines only, short, under each frame.
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "demo-log4j2.properties");
        }
        int code;
        try {
            code = run(System.out);
        } catch (Exception | AssertionError e) {
            System.out.println("DEMO FAILED: " + e);
            code = 1;
        }
        System.out.flush();
        System.exit(code);
    }

    /** Runs the demo, printing to {@code out}; 0 when Collavre received what it should. */
    public static int run(PrintStream out) throws Exception {
        int managementPort = AvailablePortFinder.getNextAvailable();
        try (GatewaySimulator gateway = new GatewaySimulator(GatewaySimulator.freePort(), GATEWAY_TOKEN).start();
             CollavreReceiver collavre = new CollavreReceiver(AvailablePortFinder.getNextAvailable())) {
            out.println("== OpenClaw proactive bridge demo ==");
            out.println("Gateway simulator : " + gateway.url());
            out.println("Collavre receiver : " + collavre.url());
            out.println("Starting the bridge (routes/*.yaml, application.properties) for Collavre user "
                        + DemoScenario.OWNER_ID + " ...");
            try (BridgeRunner bridge = BridgeRunner.start(Map.of(
                    "openclaw.gateway.url", gateway.url(),
                    "openclaw.gateway.token", GATEWAY_TOKEN,
                    "openclaw.gateway.owner-id", DemoScenario.OWNER_ID,
                    "collavre.url", collavre.url(),
                    "collavre.token", "demo-collavre-token",
                    "bridge.management.port", String.valueOf(managementPort)))) {
                ManagementClient management = new ManagementClient("127.0.0.1", managementPort);
                awaitReady(management);
                out.println("Ready: " + management.url("/observe/health/ready") + " says UP ("
                            + ManagementClient.check(management.readiness().json(), GatewayConnectionsHealthCheck.ID).getString("message") + ")");
                out.println();

                replay(bridge, gateway, out);

                out.println();
                List<Post> posts = collavre.posts();
                out.println("== What Collavre received: " + posts.size() + " post(s) ==");
                for (Post post : posts) {
                    out.println(post.method() + " " + post.path() + "  Idempotency-Key: " + post.header("idempotency-key")
                                + "  Authorization: " + (post.header("authorization") == null ? "none" : "Bearer ***"));
                    out.println("  " + post.json().encode());
                }
                out.println();
                out.println("== Metrics: " + management.url("/observe/metrics") + " (openclaw_bridge_*) ==");
                ManagementClient.bridgeSamples(management.scrape()).stream()
                        .map(l -> l.replaceAll("camelContext=\"[^\"]*\",?", "").replace(",}", "}").replace("{}", ""))
                        .forEach(l -> out.println("  " + l));
                out.println();
                return verdict(posts, out);
            }
        }
    }

    /** Sends the scenario's frames one at a time, each after the bridge has decided about the previous one. */
    static void replay(BridgeRunner bridge, GatewaySimulator gateway, PrintStream out) throws InterruptedException {
        FramesProcessed frames = FramesProcessed.install(bridge.context(), "gateway-connection-default");
        List<Step> steps = DemoScenario.steps();
        out.println("== The Gateway streams " + steps.size() + " frames; the bridge's decision follows each ==");
        int n = 0;
        for (Step step : steps) {
            out.printf("%2d. Gateway -> %s%n", ++n, step.note());
            out.flush();
            NotifyBuilder decided = new NotifyBuilder(bridge.context()).whenDone(1)
                    .wereSentTo("direct:collavre-dispatch").create();
            frames.reset();
            gateway.send(step.frame());
            frames.await(1, WAIT);
            if (step.completes() && !decided.matches(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("no dispatch decision for: " + step.note());
            }
        }
    }

    static void awaitReady(ManagementClient management) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> management.readiness().status() == 200);
    }

    static int verdict(List<Post> posts, PrintStream out) {
        Map<String, String> received = new TreeMap<>();
        posts.forEach(p -> received.merge(p.json().getString("run_id"), p.json().getString("content"),
                (a, b) -> a + " | " + b));
        if (posts.size() == DemoScenario.EXPECTED_POSTS.size()
            && received.equals(new TreeMap<>(DemoScenario.EXPECTED_POSTS))) {
            out.println("DEMO OK: " + posts.size() + " runs dispatched once each; the duplicate frame, the error,"
                        + " the abort, the run without creative, the replay and the malformed frame sent nothing.");
            return 0;
        }
        out.println("DEMO FAILED: expected " + new TreeMap<>(DemoScenario.EXPECTED_POSTS) + " but Collavre received "
                    + received);
        return 1;
    }
}
