package io.collavre.openclaw.bridge.state;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import org.h2.api.Trigger;

/** An H2 trigger counting the rows written to the outbox table, deleted or not since. */
public final class OutboxRowsWritten implements Trigger {

    static final AtomicInteger COUNT = new AtomicInteger();

    static void install(Connection connection) throws SQLException {
        COUNT.set(0);
        try (Statement sql = connection.createStatement()) {
            sql.execute("CREATE TRIGGER IF NOT EXISTS outbox_rows_written BEFORE INSERT, UPDATE ON "
                        + WriteBehindRunBufferStore.OUTBOX + " FOR EACH ROW CALL \"" + OutboxRowsWritten.class.getName()
                        + "\"");
        }
    }

    @Override
    public void fire(Connection connection, Object[] oldRow, Object[] newRow) {
        COUNT.incrementAndGet();
    }
}
