package io.collavre.openclaw.bridge;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.collavre.openclaw.bridge.testing.CollavreReceiver;
import io.collavre.openclaw.bridge.testing.GatewaySimulator;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's run command, for real: the packaged jar started as its own process from another folder (so it
 * finds the routes beside the jar), configured by environment variables only.
 */
class PackagedBridgeIT {

    @Test
    void packagedJarCarriesARunFromGatewayToCollavreAndKeepsSecretsOutOfItsOutput(@TempDir Path workDir) throws Exception {
        Path jar = Path.of("target", "openclaw-proactive-bridge.jar").toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "run mvn package first: " + jar);
        Path output = workDir.resolve("bridge.log");

        try (GatewaySimulator gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gateway-token-123").start();
             CollavreReceiver collavre = new CollavreReceiver(AvailablePortFinder.getNextAvailable())) {
            ProcessBuilder builder = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString())
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().put("OPENCLAW_GATEWAY_URL", gateway.url());
            builder.environment().put("OPENCLAW_GATEWAY_TOKEN", "gateway-token-123");
            builder.environment().put("OPENCLAW_GATEWAY_OWNER_ID", "42");
            builder.environment().put("COLLAVRE_URL", collavre.url());
            builder.environment().put("COLLAVRE_TOKEN", "collavre-token-456");
            builder.environment().put("BRIDGE_MANAGEMENT_PORT", "0");
            Process bridge = builder.start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> gateway.handshakes() == 1);
                gateway.send(GatewaySimulator.chat("run-packaged", 1, "delta", "agent:a:collavre:42:creative:9", "from the "));
                gateway.send(GatewaySimulator.chat("run-packaged", 2, "delta", "agent:a:collavre:42:creative:9", "from the jar"));
                gateway.send(GatewaySimulator.chat("run-packaged", 3, "final", "agent:a:collavre:42:creative:9", null));
                CollavreReceiver.Post post = collavre.awaitPost(Duration.ofSeconds(30));
                assertEquals("from the jar", post.json().getString("content"));
                assertEquals("Bearer collavre-token-456", post.header("authorization"));
            } finally {
                bridge.destroy();
                assertTrue(bridge.waitFor(40, TimeUnit.SECONDS), "the bridge stops on SIGTERM");
            }
            String log = Files.readString(output);
            assertTrue(log.contains("runId=run-packaged account=default state=final outcome=dispatched"), log);
            assertTrue(log.contains("Apache Camel (Main)") && log.contains("shutdown"), "graceful shutdown logged");
            // The jar's manifest speaks for the bridge only: Camel names its own version, not the bridge's.
            String camelVersion;
            try (DefaultCamelContext camel = new DefaultCamelContext()) {
                camelVersion = camel.getVersion();
            }
            assertTrue(camelVersion.startsWith("4."), camelVersion);
            assertTrue(log.contains("Apache Camel " + camelVersion + " ("), "Camel's version in the log: " + log);
            assertFalse(log.contains("gateway-token-123"), "Gateway token in the output");
            assertFalse(log.contains("collavre-token-456"), "Collavre token in the output");
            assertTrue(new File(jar.getParent().toFile(), "routes").isDirectory());
        }
    }
}
