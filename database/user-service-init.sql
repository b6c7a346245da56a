-- Generated from database/migrations/user (every migration, in order). Do not edit: change the
-- migrations and regenerate with scripts/generate-init-sql.sh.
BEGIN;
CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- 0001_create_documents
-- The User service's document database: Firestore-style collections of JSON documents
-- with string ids, stored as JSONB (see Shared/DocumentStore).
CREATE TABLE documents (
    collection  TEXT        NOT NULL,
    id          TEXT        NOT NULL,
    data        JSONB       NOT NULL,
    create_time TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    update_time TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (collection, id)
);
INSERT INTO schema_migrations (version, name, checksum) VALUES (1, '0001_create_documents', 'f6bee8449001be26');

-- 0002_document_merge
-- Deep merge for set(merge: true): fields of `patch` replace those of `base`, except that
-- two objects under the same key are merged recursively (Firestore's merge semantics).
-- Timestamps are objects with the single key "$timestamp" and are replaced, not merged.
CREATE FUNCTION document_merge(base JSONB, patch JSONB) RETURNS JSONB
LANGUAGE SQL IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN jsonb_typeof(base) = 'object' AND jsonb_typeof(patch) = 'object' AND NOT patch ? '$timestamp' THEN
            base || COALESCE((
                SELECT jsonb_object_agg(
                    key,
                    CASE WHEN base ? key AND jsonb_typeof(base -> key) = 'object'
                              AND jsonb_typeof(value) = 'object' AND NOT value ? '$timestamp'
                              AND NOT (base -> key) ? '$timestamp'
                         THEN document_merge(base -> key, value)
                         ELSE value END)
                FROM jsonb_each(patch)), '{}'::jsonb)
        ELSE patch
    END
$$;
INSERT INTO schema_migrations (version, name, checksum) VALUES (2, '0002_document_merge', 'bee0eeff8adec673');

-- 0003_audit_log
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
INSERT INTO schema_migrations (version, name, checksum) VALUES (3, '0003_audit_log', '27114ef3cb1b8c51');

-- 0004_audit_documents
-- What the audit trail records here (audit_log, 0003): API keys created, changed and deleted,
-- and a user's roles changed, by an admin. A document's row is recorded as its collection and
-- id with its data before and after; an API key's hash never goes into the trail.
CREATE FUNCTION audit_document_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    actor TEXT := nullif(current_setting('ecommerce.actor', true), '');
    document RECORD;
    old_data JSONB;
    new_data JSONB;
BEGIN
    IF TG_OP = 'DELETE' THEN document := OLD; ELSE document := NEW; END IF;
    IF actor IS NULL OR document.collection NOT IN ('api_keys', 'users') THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN old_data := OLD.data - 'key_hash' - 'password_hash'; END IF;
    IF TG_OP <> 'DELETE' THEN new_data := NEW.data - 'key_hash' - 'password_hash'; END IF;
    IF document.collection = 'users' AND (old_data -> 'roles') IS NOT DISTINCT FROM (new_data -> 'roles') THEN
        RETURN NULL;
    END IF;
    IF document.collection = 'users' THEN
        old_data := jsonb_build_object('roles', old_data -> 'roles');
        new_data := jsonb_build_object('roles', new_data -> 'roles');
    END IF;
    INSERT INTO audit_log (actor, actor_role, action, resource, resource_id, before, after, request_id)
    VALUES (actor, nullif(current_setting('ecommerce.actor_role', true), ''), lower(TG_OP), document.collection,
            document.id, old_data, new_data, nullif(current_setting('ecommerce.request_id', true), ''));
    RETURN NULL;
END;
$$;
CREATE TRIGGER documents_audit AFTER INSERT OR UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION audit_document_change();
INSERT INTO schema_migrations (version, name, checksum) VALUES (4, '0004_audit_documents', 'cee703883c1658d5');

-- 0005_document_change_notifications
-- Every committed write to a document is announced on the channel document_changed, with
-- ["collection", "id"] as payload (JSON, so any name fits), or '*' for a TRUNCATE or a name
-- too long for a notification: the document store's listeners (Firestore's onSnapshot, see
-- Shared/DocumentStore/DocumentListeners.swift) read again what they follow. Notifications
-- are sent only when the transaction commits.
CREATE FUNCTION notify_document_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    payload TEXT;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        payload := '*';
    ELSIF TG_OP = 'DELETE' THEN
        payload := json_build_array(OLD.collection, OLD.id)::text;
    ELSE
        payload := json_build_array(NEW.collection, NEW.id)::text;
    END IF;
    IF octet_length(payload) > 7000 THEN
        payload := '*';
    END IF;
    PERFORM pg_notify('document_changed', payload);
    RETURN NULL;
END;
$$;
CREATE TRIGGER documents_notify_changed AFTER INSERT OR UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION notify_document_changed();
CREATE TRIGGER documents_notify_truncated AFTER TRUNCATE ON documents
    FOR EACH STATEMENT EXECUTE FUNCTION notify_document_changed();
INSERT INTO schema_migrations (version, name, checksum) VALUES (5, '0005_document_change_notifications', '65cd04c21c583b8f');

COMMIT;
