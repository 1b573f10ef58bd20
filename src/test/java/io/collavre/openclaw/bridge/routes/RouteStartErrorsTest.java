package io.collavre.openclaw.bridge.routes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.collavre.openclaw.bridge.ops.RouteStartFailures;
import io.collavre.openclaw.bridge.testing.BridgeRunner;
import io.collavre.openclaw.bridge.testing.CapturedLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A route edit that names a bean method that does not exist stops the start with one line naming file and step. */
class RouteStartErrorsTest {

    @Test
    void aMethodNameTypoIsReportedInOneLineWithItsFileLineAndStep(@TempDir Path routes) throws Exception {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        Path delivery = routes.resolve("collavre-delivery.yaml");
        String original = Files.readString(delivery);
        assertTrue(original.contains("method: admit\n"), "the step this test breaks is still in collavre-delivery.yaml");
        Files.writeString(delivery, original.replace("method: admit\n", "method: admitt\n"));
        int line = lineOf(Files.readAllLines(delivery), "method: admitt");

        try (CapturedLogs logs = CapturedLogs.warnings()) {
            assertThrows(Exception.class, () -> BridgeRunner.start(Map.of(
                    "bridge.routes-dir", routes.toString(),
                    "openclaw.gateway.url", "ws://127.0.0.1:1",
                    "openclaw.gateway.owner-id", "42")).close());

            List<String> reported = logs.events().stream()
                    .filter(e -> e.getLoggerName().equals(RouteStartFailures.class.getName()))
                    .map(e -> e.getMessage().getFormattedMessage())
                    .toList();
            assertEquals(1, reported.size(), () -> String.valueOf(logs.lines()));
            String report = reported.get(0);
            assertTrue(report.startsWith("route=collavre-delivery source=file:" + delivery), report);
            // The step's line: the "- bean:" that opens the broken step, just above its method.
            Matcher at = Pattern.compile("collavre-delivery\\.yaml:(\\d+) ").matcher(report);
            assertTrue(at.find(), report);
            int reportedLine = Integer.parseInt(at.group(1));
            assertTrue(reportedLine <= line && reportedLine >= line - 3, report + " (typo on line " + line + ")");
            assertTrue(Files.readAllLines(delivery).get(reportedLine - 1).contains("- bean:"), report);
            assertTrue(report.contains(" step=Bean[ref:collavreBacklog method:admitt] outcome=start-failed"), report);
            assertTrue(report.contains("error=Method with name: admitt not found on bean"), report);
            assertTrue(!report.contains("\n"), report);
        }
    }

    private static int lineOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(text + " not found");
    }
}
