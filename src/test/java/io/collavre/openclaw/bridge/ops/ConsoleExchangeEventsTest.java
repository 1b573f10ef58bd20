package io.collavre.openclaw.bridge.ops;

import java.util.List;
import java.util.Map;

import io.collavre.openclaw.bridge.testing.BridgeRunner;
import io.collavre.openclaw.bridge.testing.GatewaySimulator;
import io.collavre.openclaw.bridge.testing.ManagementClient;
import org.apache.camel.impl.console.EventConsole;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge as shipped, developer console on: the console's events page asks for no exchange event, so Camel makes
 * none for the frames' steps, and the page still answers with the context's events.
 */
class ConsoleExchangeEventsTest {

    @Test
    void theDeveloperConsoleLeavesExchangeEventsOffAndItsEventsPageStillAnswers() throws Exception {
        int managementPort = AvailablePortFinder.getNextAvailable();
        try (GatewaySimulator gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
             BridgeRunner bridge = BridgeRunner.start(Map.of(
                     "openclaw.gateway.url", gateway.url(),
                     "openclaw.gateway.token", "gw-secret",
                     "openclaw.gateway.owner-id", "42",
                     "bridge.management.port", String.valueOf(managementPort)))) {
            List<EventNotifier> console = bridge.context().getManagementStrategy().getEventNotifiers().stream()
                    .filter(n -> n.getClass().getEnclosingClass() == EventConsole.class).toList();
            assertEquals(1, console.size(), "the developer console is on by default");
            assertTrue(console.get(0).isIgnoreExchangeEvents());
            assertFalse(bridge.context().getCamelContextExtension().isEventNotificationApplicable(),
                    "no notifier asks for exchange events");

            ManagementClient.Response events = new ManagementClient("127.0.0.1", managementPort)
                    .get("/q/dev/event", "application/json");
            assertEquals(200, events.status(), events.body());
            assertTrue(events.body().contains("CamelContextStarted"), events.body());
        }
    }
}
