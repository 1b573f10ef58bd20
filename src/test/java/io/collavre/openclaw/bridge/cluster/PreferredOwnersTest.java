package io.collavre.openclaw.bridge.cluster;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreferredOwnersTest {

    static final List<String> MEMBERS = List.of("bridge-1", "bridge-2", "bridge-3");

    @Test
    void everyBridgeComputesTheSameOwnerWhateverTheOrderOfTheList() {
        for (int i = 0; i < 50; i++) {
            String account = "account-" + i;
            assertEquals(PreferredOwners.of(account, MEMBERS),
                    PreferredOwners.of(account, List.of("bridge-3", "bridge-1", "bridge-2")));
        }
    }

    @Test
    void accountsSpreadOverTheMembers() {
        Map<String, Integer> owned = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            owned.merge(PreferredOwners.of("account-" + i, MEMBERS), 1, Integer::sum);
        }
        assertEquals(3, owned.size());
        owned.values().forEach(n -> assertTrue(n > 800 && n < 1200, "uneven spread " + owned));
    }

    @Test
    void removingAMemberMovesOnlyItsOwnAccounts() {
        List<String> two = List.of("bridge-1", "bridge-3");
        for (int i = 0; i < 500; i++) {
            String account = "account-" + i;
            String before = PreferredOwners.of(account, MEMBERS);
            if (!before.equals("bridge-2")) {
                assertEquals(before, PreferredOwners.of(account, two), account);
            }
        }
    }

    @Test
    void noMembersNoOwner() {
        assertNull(PreferredOwners.of("alice", List.of()));
    }
}
