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
