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
