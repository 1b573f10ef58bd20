package io.collavre.openclaw.bridge.dedup;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExpiringFingerprintRepositoryTest extends ExpiringRepositoryContract {

    @Override
    ExpiringRepository create(LongSupplier nanoClock) {
        return new ExpiringFingerprintRepository(nanoClock);
    }

    @Test
    void answersLikeTheRepositoryThatKeepsTheKeysUnderTheSizeCap() {
        // Few keys, a small cap and a short TTL: the ring wraps and the table's clusters are deleted from often.
        compareWithKeptKeys(new Random(7), 40, 64, 200_000, false);
    }

    @Test
    void answersLikeTheRepositoryThatKeepsTheKeysInATinyTable() {
        // A 16-cell table: clusters often wrap around its end.
        compareWithKeptKeys(new Random(3), 8, 6, 200_000, false);
    }

    @Test
    void answersLikeTheRepositoryThatKeepsTheKeysWithRemovals() {
        // A cap never reached: removals leave EMPTY slots in the ring that expiry then passes over.
        compareWithKeptKeys(new Random(11), 100_000, 300, 200_000, true);
    }

    private void compareWithKeptKeys(Random random, int maxSize, int distinctKeys, int operations, boolean removals) {
        AtomicLong clock = new AtomicLong(Long.MAX_VALUE - 5_000_000L);
        ExpiringFingerprintRepository prints = new ExpiringFingerprintRepository(clock::get);
        ExpiringIdempotentRepository keys = new ExpiringIdempotentRepository(clock::get);
        for (ExpiringRepository r : new ExpiringRepository[] {prints, keys}) {
            r.setTtlMillis(5);
            r.setMaxSize(maxSize);
        }
        for (int op = 0; op < operations; op++) {
            String key = "acct|run-" + random.nextInt(distinctKeys) + "|seq=" + random.nextInt(3) + "|delta";
            int what = random.nextInt(removals ? 10 : 9);
            if (what < 5) {
                assertEquals(keys.add(key), prints.add(key), "add " + key + " at operation " + op);
            } else if (what < 8) {
                assertEquals(keys.contains(key), prints.contains(key), "contains " + key + " at operation " + op);
            } else if (what < 9) {
                clock.addAndGet(random.nextInt(200_000));
            } else {
                assertEquals(keys.remove(key), prints.remove(key), "remove " + key + " at operation " + op);
            }
            if (op % 1000 == 0) {
                assertEquals(keys.getSize(), prints.getSize(), "size at operation " + op);
            }
        }
    }

    @Test
    void aRemovedKeyAddedAgainIsNotForgottenWhenItsFirstTimeIsUp() {
        repository.add("run-1");
        advance(TTL_NANOS / 2);
        repository.remove("run-1");
        repository.add("run-1");

        advance(TTL_NANOS / 2);

        assertTrue(repository.contains("run-1"), "its first entry expired, its second has half its time left");
        assertEquals(1, repository.getSize());
    }

    @Test
    void theCapHoldsWhenEveryKeyIsNew() {
        repository.setMaxSize(1000);
        for (int i = 0; i < 100_000; i++) {
            assertTrue(repository.add("frame-" + i));
        }
        assertEquals(1000, repository.getSize());
        assertTrue(repository.contains("frame-99999"));
        assertTrue(repository.contains("frame-99000"));
        assertFalse(repository.contains("frame-98999"));
    }

    @Test
    void settingTheCapForgetsEveryKey() {
        repository.add("run-1");

        repository.setMaxSize(10);

        assertEquals(0, repository.getSize());
        assertTrue(repository.add("run-1"));
    }

    @Test
    void aCapTooLargeForTheTableIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> repository.setMaxSize(Integer.MAX_VALUE));
    }

    @Test
    void fingerprintsOfFrameIdentitiesDoNotCollide() {
        // A million identities that differ in a character or two: no two share a fingerprint, nor its low 20
        // bits more often than chance allows (the table's index).
        Set<Long> seen = new HashSet<>();
        int[] buckets = new int[1 << 20];
        for (int run = 0; run < 10_000; run++) {
            for (int seq = 0; seq < 100; seq++) {
                long print = ExpiringFingerprintRepository.fingerprint("acct-0|run-" + run + "|seq=" + seq + "|delta");
                assertTrue(seen.add(print), "collision at run " + run + " seq " + seq);
                buckets[(int) print & (buckets.length - 1)]++;
            }
        }
        int fullest = 0;
        for (int bucket : buckets) {
            fullest = Math.max(fullest, bucket);
        }
        // About one per bucket on average; a uniform hash puts at most ~10 in any of them.
        assertTrue(fullest <= 12, "fullest bucket holds " + fullest);
    }
}
