package io.collavre.openclaw.bridge.dedup;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WrittenBehindIdempotentRepositoryTest extends ExpiringRepositoryContract {

    /** What the store was asked to write, and what it gives back at start. */
    static final class RecordedWrites implements WrittenBehindIdempotentRepository.Writes {
        final List<String> remembered = new ArrayList<>();
        final List<String> log = new ArrayList<>();

        @Override
        public Iterable<String> rememberedKeys() {
            return remembered;
        }

        @Override
        public void added(String key) {
            log.add("+" + key);
        }

        @Override
        public void removed(String key) {
            log.add("-" + key);
        }
    }

    final RecordedWrites writes = new RecordedWrites();

    @Override
    ExpiringRepository create(LongSupplier nanoClock) {
        return new WrittenBehindIdempotentRepository(writes, nanoClock);
    }

    @Test
    void onlyTheChangesAreWrittenAKeyAddedAgainWithinItsTtlIsNot() {
        repository.add("run-1");
        repository.add("run-1");
        repository.add("run-2");
        repository.remove("run-2");
        repository.remove("run-3");
        assertEquals(List.of("+run-1", "+run-2", "-run-2"), writes.log);
    }

    @Test
    void theKeysWrittenBeforeARestartAreKnownAfterIt() {
        writes.remembered.add("run-before-restart");
        repository.start();
        assertTrue(repository.contains("run-before-restart"));
        assertFalse(repository.add("run-before-restart"), "a run dispatched before the restart is a duplicate");
        assertTrue(writes.log.isEmpty(), "reading back writes nothing");
    }
}
