package io.collavre.openclaw.bridge.testing;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test PostgreSQL server: a real server reached through a HikariCP pool, gone without a trace after close; an
 * outage (stop, then restart) keeps its data and its port.
 */
class PostgresServerTest {

    @Test
    void roundTripThroughAPoolAndNothingLeftAfterClose() throws Exception {
        int port;
        Path directory;
        try (PostgresServer postgres = PostgresServer.start()) {
            port = postgres.port();
            directory = postgres.directory();
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(postgres.jdbcUrl());
            config.setUsername(postgres.user());
            config.setPassword(postgres.password());
            config.setMaximumPoolSize(2);
            try (HikariDataSource pool = new HikariDataSource(config);
                 Connection connection = pool.getConnection()) {
                try (Statement sql = connection.createStatement()) {
                    sql.execute("CREATE TABLE probe (run_id VARCHAR(200) PRIMARY KEY, text TEXT NOT NULL)");
                }
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO probe VALUES (?, ?)")) {
                    insert.setString(1, "run-1");
                    insert.setString(2, "héllo, wörld");
                    assertEquals(1, insert.executeUpdate());
                }
                try (PreparedStatement select = connection.prepareStatement("SELECT text, current_user FROM probe"
                                                                            + " WHERE run_id = ?")) {
                    select.setString(1, "run-1");
                    try (ResultSet row = select.executeQuery()) {
                        assertTrue(row.next());
                        assertEquals("héllo, wörld", row.getString(1));
                        assertEquals("bridge", row.getString(2));
                        assertFalse(row.next());
                    }
                }
            }
            // The password is required: the server does not trust TCP clients.
            assertThrows(SQLException.class, () -> java.sql.DriverManager
                    .getConnection(postgres.jdbcUrl(), postgres.user(), "wrong").close());
        }
        assertThrows(java.io.IOException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close(),
                "the server is stopped");
        assertFalse(Files.exists(directory), "the cluster is deleted");
    }

    @Test
    void anOutageKeepsTheDataAndThePortAndCloseStillCleansUp() throws Exception {
        int port;
        Path directory;
        try (PostgresServer postgres = PostgresServer.start()) {
            port = postgres.port();
            directory = postgres.directory();
            try (Connection connection = postgres.connect(); Statement sql = connection.createStatement()) {
                sql.execute("CREATE TABLE probe (run_id VARCHAR(200) PRIMARY KEY)");
                sql.execute("INSERT INTO probe VALUES ('before the outage')");
            }

            postgres.stop();
            assertThrows(SQLException.class, () -> postgres.connect().close(), "no server during the outage");
            assertThrows(java.io.IOException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close(),
                    "nothing listens on the port during the outage");

            postgres.restart();
            assertEquals(port, postgres.port(), "the clients' URL still holds");
            try (Connection connection = postgres.connect(); Statement sql = connection.createStatement();
                 ResultSet rows = sql.executeQuery("SELECT run_id FROM probe")) {
                assertTrue(rows.next());
                assertEquals("before the outage", rows.getString(1));
                assertFalse(rows.next());
            }
        }
        assertThrows(java.io.IOException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close(),
                "the server is stopped");
        assertFalse(Files.exists(directory), "the cluster is deleted");
    }
}
