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
