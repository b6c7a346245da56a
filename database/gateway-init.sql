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

-- 0005_audit_log
-- The audit trail (the same in every database; each service's folder links here): admin
-- actions with who, what, when, and the values before and after. Rows come from triggers on
-- the audited tables, which record a change only when the transaction names an actor (the
-- services set ecommerce.actor, ecommerce.actor_role and ecommerce.request_id for requests
-- by an admin or an API key), so a change made through the API cannot skip it. Append-only:
-- no row changes, and one goes only once it is a year old, through purge_expired_audit().
CREATE TABLE audit_log (
    id          BIGSERIAL    PRIMARY KEY,
    occurred_at TIMESTAMPTZ  NOT NULL DEFAULT clock_timestamp(),
    -- The principal's uid (an API key acts as its own principal), or operator:<name> for make.
    actor       VARCHAR(255) NOT NULL,
    actor_role  VARCHAR(20),
    -- insert, update or delete of a row; restore of the database.
    action      VARCHAR(20)  NOT NULL,
    -- The table (or document collection) and the row's id.
    resource    VARCHAR(100) NOT NULL,
    resource_id VARCHAR(255),
    before      JSONB,
    after       JSONB,
    request_id  VARCHAR(255)
);
CREATE INDEX idx_audit_log_occurred_at ON audit_log (occurred_at DESC, id DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.occurred_at < now() - INTERVAL '1 year' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only (rows go after a year, by purge_expired_audit)';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Removes up to `batch` rows older than a year. Runs with the owner's rights, so the runtime
-- role (SELECT and INSERT on audit_log only) can call it without being able to delete.
CREATE FUNCTION purge_expired_audit(batch INTEGER) RETURNS INTEGER
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    deleted INTEGER;
BEGIN
    DELETE FROM audit_log WHERE id = ANY (ARRAY(
        SELECT id FROM audit_log WHERE occurred_at < now() - INTERVAL '1 year' ORDER BY occurred_at LIMIT batch));
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END;
$$;

-- An audited table's trigger: the row before and after (without the columns named as the
-- trigger's arguments), when the transaction names an actor and the row did change.
CREATE FUNCTION audit_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    actor TEXT := nullif(current_setting('ecommerce.actor', true), '');
    old_row JSONB;
    new_row JSONB;
BEGIN
    IF actor IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD) - coalesce(TG_ARGV, '{}'); END IF;
    IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW) - coalesce(TG_ARGV, '{}'); END IF;
    IF old_row IS NOT DISTINCT FROM new_row THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_log (actor, actor_role, action, resource, resource_id, before, after, request_id)
    VALUES (actor, nullif(current_setting('ecommerce.actor_role', true), ''), lower(TG_OP), TG_TABLE_NAME,
            coalesce(new_row, old_row) ->> 'id', old_row, new_row, nullif(current_setting('ecommerce.request_id', true), ''));
    RETURN NULL;
END;
$$;
INSERT INTO schema_migrations (version, name, checksum) VALUES (5, '0005_audit_log', '27114ef3cb1b8c51');

COMMIT;
