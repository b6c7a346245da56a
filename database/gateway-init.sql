-- Generated from database/migrations/gateway (every migration, in order). Do not edit: change the
-- migrations and regenerate with scripts/generate-init-sql.sh.
BEGIN;
CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- 0001_create_logs_and_events
-- Gateway database: api_logs and analytics_events as the design document lists them.
CREATE TABLE api_logs (
    id           BIGSERIAL PRIMARY KEY,
    service_name VARCHAR(50)      NOT NULL,
    path         TEXT             NOT NULL,
    method       VARCHAR(10)      NOT NULL,
    status_code  INTEGER          NOT NULL,
    latency_ms   DOUBLE PRECISION NOT NULL,
    user_uid     VARCHAR(255),
    ip_address   INET,
    user_agent   TEXT,
    request_id   VARCHAR(128),
    created_at   TIMESTAMPTZ      NOT NULL DEFAULT now()
);
CREATE INDEX idx_api_logs_service_name ON api_logs (service_name);
CREATE INDEX idx_api_logs_status_code ON api_logs (status_code);
CREATE INDEX idx_api_logs_user_uid ON api_logs (user_uid);
CREATE INDEX idx_api_logs_created_at ON api_logs (created_at);

CREATE TABLE analytics_events (
    id           BIGSERIAL PRIMARY KEY,
    event_name   VARCHAR(100) NOT NULL,
    user_uid     VARCHAR(255),
    session_id   VARCHAR(255),
    properties   JSONB        NOT NULL DEFAULT '{}',
    ip_address   INET,
    user_agent   TEXT,
    referrer     TEXT,
    utm_source   VARCHAR(255),
    utm_medium   VARCHAR(255),
    utm_campaign VARCHAR(255),
    created_at   TIMESTAMPTZ  NOT NULL DEFAULT now()
);
CREATE INDEX idx_analytics_events_event_name ON analytics_events (event_name);
CREATE INDEX idx_analytics_events_user_uid ON analytics_events (user_uid);
CREATE INDEX idx_analytics_events_created_at ON analytics_events (created_at);
CREATE INDEX idx_analytics_events_properties ON analytics_events USING GIN (properties);
INSERT INTO schema_migrations (version, name, checksum) VALUES (1, '0001_create_logs_and_events', 'da1db1fbe944144e');

-- 0002_retention
-- Retention (design document, "Cleaning Up Old Data"): api_logs older than 30 days and
-- analytics_events older than 90 days. One call deletes at most `batch` rows of each, so
-- callers loop in short transactions and never hold locks on millions of rows at once.
CREATE FUNCTION purge_expired_rows(batch INTEGER) RETURNS INTEGER LANGUAGE plpgsql AS $$
DECLARE
    logs_deleted INTEGER;
    events_deleted INTEGER;
BEGIN
    DELETE FROM api_logs WHERE id IN (
        SELECT id FROM api_logs WHERE created_at < now() - INTERVAL '30 days' ORDER BY created_at LIMIT batch);
    GET DIAGNOSTICS logs_deleted = ROW_COUNT;
    DELETE FROM analytics_events WHERE id IN (
        SELECT id FROM analytics_events WHERE created_at < now() - INTERVAL '90 days' ORDER BY created_at LIMIT batch);
    GET DIAGNOSTICS events_deleted = ROW_COUNT;
    RETURN logs_deleted + events_deleted;
END;
$$;

CREATE INDEX idx_api_logs_request_id ON api_logs (request_id);
INSERT INTO schema_migrations (version, name, checksum) VALUES (2, '0002_retention', 'ff65110a2802b792');

-- 0003_retention_by_ctid
-- Retention, faster: 0002's `DELETE ... WHERE id IN (SELECT id ... LIMIT batch)` was planned
-- as a hash semi-join over a sequential scan of the whole table, so every batch read every
-- row (0.4 s per batch of 10,000 at a million rows, growing with the table). Now the batch's
-- rows are found through the created_at index and deleted by their physical address (a TID
-- scan): each call costs the same whatever the table's size. The statement's snapshot keeps
-- the addresses valid between the subquery and the delete.
CREATE OR REPLACE FUNCTION purge_expired_rows(batch INTEGER) RETURNS INTEGER LANGUAGE plpgsql AS $$
DECLARE
    logs_deleted INTEGER;
    events_deleted INTEGER;
BEGIN
    DELETE FROM api_logs WHERE ctid = ANY (ARRAY(
        SELECT ctid FROM api_logs WHERE created_at < now() - INTERVAL '30 days' ORDER BY created_at LIMIT batch));
    GET DIAGNOSTICS logs_deleted = ROW_COUNT;
    DELETE FROM analytics_events WHERE ctid = ANY (ARRAY(
        SELECT ctid FROM analytics_events WHERE created_at < now() - INTERVAL '90 days' ORDER BY created_at LIMIT batch));
    GET DIAGNOSTICS events_deleted = ROW_COUNT;
    RETURN logs_deleted + events_deleted;
END;
$$;
INSERT INTO schema_migrations (version, name, checksum) VALUES (3, '0003_retention_by_ctid', '437ada29813f323e');

-- 0004_wider_log_method
-- A request method is any HTTP token (UNSUBSCRIBE has 11 letters, extensions more): the
-- design document's VARCHAR(10) refused such rows. The gateway also clips every value to
-- its column before writing (see APILogEntry), so no row can be refused for its length.
ALTER TABLE api_logs ALTER COLUMN method TYPE VARCHAR(32);
INSERT INTO schema_migrations (version, name, checksum) VALUES (4, '0004_wider_log_method', 'e587999420a98ea1');

COMMIT;
