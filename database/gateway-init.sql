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

COMMIT;
