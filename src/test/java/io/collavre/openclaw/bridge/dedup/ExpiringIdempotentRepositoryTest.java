package io.collavre.openclaw.bridge.dedup;

import java.util.function.LongSupplier;

class ExpiringIdempotentRepositoryTest extends ExpiringRepositoryContract {

    @Override
    ExpiringRepository create(LongSupplier nanoClock) {
        return new ExpiringIdempotentRepository(nanoClock);
    }
}
