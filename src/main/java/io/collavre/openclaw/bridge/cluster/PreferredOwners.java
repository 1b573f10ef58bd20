package io.collavre.openclaw.bridge.cluster;

import java.util.List;

/**
 * Which bridge of a known set should own an account's connection: rendezvous (highest random weight) hashing,
 * so every bridge computes the same answer from the same member list, accounts spread evenly, and removing a
 * member only moves the accounts that member owned.
 */
public final class PreferredOwners {

    private PreferredOwners() {
    }

    /** The preferred owner of {@code account} among {@code members}, or null when there are none. */
    public static String of(String account, List<String> members) {
        String best = null;
        long bestScore = Long.MIN_VALUE;
        for (String member : members) {
            long score = score(member, account);
            if (best == null || score > bestScore || (score == bestScore && member.compareTo(best) < 0)) {
                best = member;
                bestScore = score;
            }
        }
        return best;
    }

    static long score(String member, String account) {
        long h = 1125899906842597L;
        String key = member + '\u0000' + account;
        for (int i = 0; i < key.length(); i++) {
            h = 31 * h + key.charAt(i);
        }
        // MurmurHash3's 64-bit finaliser: nearby keys get unrelated scores.
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
