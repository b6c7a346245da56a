-- The history of every order's changes, which the event streams (GET /api/v1/orders/events,
-- GET /api/v1/orders/{id}/events) send and resume from: one row per change of an order's
-- status or payment status, written by a trigger in the transaction that made the change, so
-- nothing a client can see is ever missing from it. A transaction that adds rows announces it
-- on the channel order_events, which every replica of the Order service listens to, once: the
-- payload is empty, so PostgreSQL folds a transaction's notifications into one, and the
-- listeners read the new rows from the table.
CREATE TABLE order_events (
    id          BIGSERIAL    PRIMARY KEY,
    order_id    INTEGER      NOT NULL,
    user_uid    VARCHAR(255) NOT NULL,
    -- order.created, order.confirmed, order.failed, order.cancelled, order.shipped,
    -- order.delivered, payment.paid, payment.failed, payment.refunded.
    kind        VARCHAR(40)  NOT NULL,
    occurred_at TIMESTAMPTZ  NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX idx_order_events_order_id ON order_events (order_id, id);
CREATE INDEX idx_order_events_user_uid ON order_events (user_uid, id);
-- Retention only (rows go in the order they came): BRIN costs next to nothing per insert.
CREATE INDEX idx_order_events_occurred_at ON order_events USING brin (occurred_at);

CREATE FUNCTION record_order_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO order_events (order_id, user_uid, kind) VALUES (NEW.id, NEW.user_uid, 'order.created');
        PERFORM pg_notify('order_events', '');
        RETURN NULL;
    END IF;
    IF OLD.status IS DISTINCT FROM NEW.status THEN
        INSERT INTO order_events (order_id, user_uid, kind) VALUES (NEW.id, NEW.user_uid, 'order.' || NEW.status);
        PERFORM pg_notify('order_events', '');
    END IF;
    IF OLD.payment_status IS DISTINCT FROM NEW.payment_status THEN
        INSERT INTO order_events (order_id, user_uid, kind) VALUES (NEW.id, NEW.user_uid, 'payment.' || NEW.payment_status);
        PERFORM pg_notify('order_events', '');
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER orders_record_event AFTER INSERT OR UPDATE OF status, payment_status ON orders
    FOR EACH ROW EXECUTE FUNCTION record_order_event();

-- Append-only for the runtime role (SELECT and INSERT only, see RuntimeGrants); rows go once
-- they are 30 days old, through purge_expired_order_events(): a stream resumes from a
-- Last-Event-ID that recent.
CREATE FUNCTION order_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.occurred_at < now() - INTERVAL '30 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'order_events is append-only (rows go after 30 days, by purge_expired_order_events)';
END;
$$;
CREATE TRIGGER order_events_no_change BEFORE UPDATE OR DELETE ON order_events
    FOR EACH ROW EXECUTE FUNCTION order_events_append_only();

CREATE FUNCTION purge_expired_order_events(batch INTEGER) RETURNS INTEGER
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    deleted INTEGER;
BEGIN
    DELETE FROM order_events WHERE id = ANY (ARRAY(
        SELECT id FROM order_events WHERE occurred_at < now() - INTERVAL '30 days' ORDER BY id LIMIT batch));
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END;
$$;
