package io.collavre.openclaw.bridge.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo as a newcomer runs it: its main class in a JVM of its own (what {@code mvn test-compile exec:exec}
 * starts), which must exit 0 on its own and print what Collavre received.
 */
class BridgeDemoTest {

    @Test
    void demoExitsZeroAndPrintsWhatCollavreReceived(@TempDir Path tmp) throws Exception {
        Path output = tmp.resolve("demo.out");
        Process demo = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                BridgeDemo.class.getName()))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        boolean exited = demo.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            demo.destroyForcibly();
        }
        String printed = read(output);
        assertTrue(exited, "the demo ends by itself within a minute:\n" + printed);
        assertEquals(0, demo.exitValue(), printed);

        assertTrue(printed.contains("== What Collavre received: 2 post(s) =="), printed);
        assertTrue(printed.contains("\"run_id\":\"run-standup\""), printed);
        assertTrue(printed.contains("\"content\":\"Good morning! Stand-up starts in 10 minutes.\""), printed);
        assertTrue(printed.contains("\"content\":\"3 tasks due today: review the budget, call Ana, ship v2.\""), printed);
        assertFalse(printed.contains("\"run_id\":\"run-weather\""), "the run that ended in error is not sent");
        assertFalse(printed.contains("\"run_id\":\"run-draft\""), "the aborted run is not sent");
        assertFalse(printed.contains("\"run_id\":\"run-private\""), "the run without creative is not sent");
        // The bridge's decision lines are shown under the frames they are about.
        assertTrue(printed.contains("account=default frame=repeated outcome=dropped reason=duplicate-frame"), printed);
        assertTrue(printed.contains("account=default frame=malformed outcome=dropped"), printed);
        assertTrue(printed.contains("runId=run-digest account=default state=final outcome=suppressed"), printed);
        assertTrue(printed.contains("openclaw_bridge_runs_total{account=\"default\",outcome=\"dispatched\",reason=\"posted\"} 2.0"), printed);
        assertTrue(printed.contains("DEMO OK"), printed);
        assertFalse(printed.contains("demo-gateway-token") || printed.contains("demo-collavre-token"), "no secret printed");
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
