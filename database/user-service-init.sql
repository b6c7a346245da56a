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

COMMIT;
