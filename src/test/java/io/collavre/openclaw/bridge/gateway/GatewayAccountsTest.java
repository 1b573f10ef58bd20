package io.collavre.openclaw.bridge.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GatewayAccountsTest {

    static final GatewayAccount SINGLE = new GatewayAccount("default", "42", "ws://127.0.0.1:18789", "secret");

    @Test
    void singleAccountWithAnOwnerIsTheOnlyAccountWithoutAFile() throws Exception {
        assertEquals(List.of(SINGLE), GatewayAccounts.load(SINGLE, null));
    }

    @Test
    void singleAccountWithoutOwnerIsLeftOut(@TempDir Path dir) throws Exception {
        GatewayAccount unowned = new GatewayAccount("default", " ", "ws://127.0.0.1:18789", "");
        assertTrue(GatewayAccounts.load(unowned, dir.resolve("missing.properties")).isEmpty());
    }

    @Test
    void fileAccountsFollowTheSingleOneInNameOrder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("accounts.properties");
        Files.writeString(file, """
                bob.owner-id = 43
                bob.gateway-url = https://gw.bob.example
                alice.owner-id = 44
                alice.gateway-url = wss://gw.alice.example:18789/
                alice.token = {{env:ALICE_TOKEN}}
                """);
        List<GatewayAccount> accounts = GatewayAccounts.load(SINGLE, file);
        assertEquals(List.of("default", "alice", "bob"), accounts.stream().map(GatewayAccount::name).toList());
        assertEquals(new GatewayAccount("alice", "44", "wss://gw.alice.example:18789/", "{{env:ALICE_TOKEN}}"), accounts.get(1));
        assertEquals("gateway-connection-bob", accounts.get(2).routeId());
    }

    @Test
    void incompleteAccountsAreRefusedNamingTheSetting(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("accounts.properties");
        Files.writeString(file, "carol.gateway-url = ws://x\n");
        IllegalArgumentException noOwner = assertThrows(IllegalArgumentException.class, () -> GatewayAccounts.load(null, file));
        assertTrue(noOwner.getMessage().contains("carol.owner-id"), noOwner.getMessage());

        Files.writeString(file, "carol.owner-id = 7\ncarol.gateway-url = ftp://x\n");
        IllegalArgumentException badUrl = assertThrows(IllegalArgumentException.class, () -> GatewayAccounts.load(null, file));
        assertTrue(badUrl.getMessage().contains("carol.gateway-url"), badUrl.getMessage());

        Files.writeString(file, "carol.owner-id = seven\ncarol.gateway-url = ws://x\n");
        assertThrows(IllegalArgumentException.class, () -> GatewayAccounts.load(null, file));

        Files.writeString(file, "owner-id = 7\n");
        assertThrows(IllegalArgumentException.class, () -> GatewayAccounts.load(null, file));

        Files.writeString(file, "bad$name.owner-id = 7\nbad$name.gateway-url = ws://x\n");
        assertThrows(IllegalArgumentException.class, () -> GatewayAccounts.load(null, file));
    }

    @Test
    void singleAccountErrorsNameItsOwnSettings() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GatewayAccounts.load(new GatewayAccount("default", "42", "", ""), null));
        assertTrue(e.getMessage().contains("openclaw.gateway.url"), e.getMessage());
    }

    @Test
    void anAccountNamedTwiceIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("accounts.properties");
        Files.writeString(file, "default.owner-id = 7\ndefault.gateway-url = ws://x\n");
        assertThrows(IllegalArgumentException.class, () -> GatewayAccounts.load(SINGLE, file));
    }

    @Test
    void toStringHidesTheToken() {
        assertFalse(SINGLE.toString().contains("secret"));
    }
}
