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
