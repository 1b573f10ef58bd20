-- Shared state of the OpenClaw proactive bridge on PostgreSQL (proactive.state-store=postgresql).
-- Creates only what is missing, never alters or drops: safe to run again, and by several bridges at once.
-- Run it as the owner of the database:  psql "postgresql://bridge@db-host:5432/bridge" -f postgresql-schema.sql
-- (the bridge runs the same script at startup when bridge.db.create-schema is true).

-- Open run buffers of the aggregator (Camel's JdbcAggregationRepository: id = runId, exchange = the serialized
-- buffer, version = optimistic lock).
CREATE TABLE IF NOT EXISTS run_buffers (
    id       VARCHAR(255) NOT NULL PRIMARY KEY,
    exchange BYTEA        NOT NULL,
    version  BIGINT       NOT NULL
);

-- Completed runs whose delivery has not ended yet (recovery), with the bridge delivering them.
CREATE TABLE IF NOT EXISTS run_buffers_completed (
    id          VARCHAR(255) NOT NULL PRIMARY KEY,
    exchange    BYTEA        NOT NULL,
    version     BIGINT       NOT NULL,
    instance_id VARCHAR(255)
);
CREATE INDEX IF NOT EXISTS run_buffers_completed_instance ON run_buffers_completed (instance_id);

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
