package io.collavre.openclaw.bridge.testing;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Gateway stand-in's port handling, which the restart tests rely on. */
class GatewaySimulatorTest {

    @Test
    void freePortIsOutsideTheEphemeralRange() throws Exception {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        String[] bounds = Files.readAllLines(range).get(0).trim().split("\\s+");
        int low = Integer.parseInt(bounds[0]);
        int high = Integer.parseInt(bounds[1]);
        assumeTrue(low > 11_000 || high < 64_000, "no room outside the ephemeral range " + low + "-" + high);
        int port = GatewaySimulator.freePort();
        assertTrue(port < low || port > high, "port " + port);
    }

    @Test
    void startWaitsForAPortThatIsBrieflyHeld() throws Exception {
        int port = GatewaySimulator.freePort();
        ServerSocket holder = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
        try (GatewaySimulator gateway = new GatewaySimulator(port, "token")) {
            CompletableFuture<GatewaySimulator> started = CompletableFuture.supplyAsync(gateway::start);
            assertFalse(started.isDone(), "bound while the port was held");
            holder.close();
            assertEquals(gateway, started.get(10, TimeUnit.SECONDS));
        } finally {
            holder.close();
        }
    }
}
