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
