-- Shared state of the OpenClaw proactive bridge on PostgreSQL (proactive.state-store=postgresql).
-- Creates only what is missing, never alters or drops: safe to run again, and by several bridges at once.
-- Run it as the owner of the database:  psql "postgresql://bridge@db-host:5432/bridge" -f postgresql-schema.sql
-- (the bridge runs the same script at startup when bridge.db.create-schema is true).

-- Open run buffers, written behind by the bridge connected to their account (every
-- proactive.checkpoint-interval-ms, one row per run) and taken over by the next bridge to connect to it.
-- buffer: the serialized buffer (text, seq, overflow state); instance_id: the bridge holding it.
-- toast_tuple_target: a row of up to 8 KB (a run of a few KB of text) stays whole in the table, instead of being
-- compressed into the table's TOAST table (a table and index of its own, written and vacuumed with every row) past
-- PostgreSQL's default 2 KB. Tables created by an earlier build:  ALTER TABLE ... SET (toast_tuple_target = 8160);
CREATE TABLE IF NOT EXISTS run_buffer_rows (
    run_id      VARCHAR(255)  NOT NULL PRIMARY KEY,
    account     VARCHAR(255),
    owner_id    VARCHAR(255),
    session_key VARCHAR(1024),
    state       VARCHAR(32),
    buffer      BYTEA         NOT NULL,
    updated_at  TIMESTAMP     NOT NULL,
    instance_id VARCHAR(255)
) WITH (toast_tuple_target = 8160);
CREATE INDEX IF NOT EXISTS run_buffer_rows_account ON run_buffer_rows (account);

-- Completed runs whose delivery has not ended yet (the outbox: written once a delivery has gone on for 20 ms,
-- deleted when it ends), with the bridge delivering them; a dead bridge's rows are claimed by one survivor.
-- toast_tuple_target: as run_buffer_rows' (an outbox row lives for the length of a delivery's retries).
CREATE TABLE IF NOT EXISTS run_buffer_outbox (
    exchange_id  VARCHAR(255) NOT NULL PRIMARY KEY,
    run_id       VARCHAR(255) NOT NULL,
    exchange     BYTEA        NOT NULL,
    completed_at TIMESTAMP    NOT NULL,
    instance_id  VARCHAR(255)
) WITH (toast_tuple_target = 8160);
CREATE INDEX IF NOT EXISTS run_buffer_outbox_instance ON run_buffer_outbox (instance_id);

-- Dispatched run ids (Camel's JDBC idempotent repository), forgotten after proactive.dedup-ttl-seconds.
CREATE TABLE IF NOT EXISTS camel_messageprocessed (
    processorName VARCHAR(255) NOT NULL,
    messageId     VARCHAR(255) NOT NULL,
    createdAt     TIMESTAMP    NOT NULL,
    PRIMARY KEY (processorName, messageId)
);
CREATE INDEX IF NOT EXISTS camel_messageprocessed_created ON camel_messageprocessed (createdAt);

-- Bridges alive: each one refreshes its row every bridge.db.maintenance-interval-ms; a bridge silent for
-- bridge.db.instance-timeout-ms is dead, and the others take over its unfinished deliveries.
CREATE TABLE IF NOT EXISTS bridge_instances (
    instance_id VARCHAR(255) NOT NULL PRIMARY KEY,
    last_seen   TIMESTAMPTZ  NOT NULL
);
