-- Generated from database/migrations/order (every migration, in order). Do not edit: change the
-- migrations and regenerate with scripts/generate-init-sql.sh.
BEGIN;
CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- 0001_create_orders
-- Order database: orders, order_items and payments as the design document lists them.
CREATE TABLE orders (
    id              SERIAL PRIMARY KEY,
    user_uid        VARCHAR(255)   NOT NULL, -- User service uid: no foreign key across services
    total_amount    NUMERIC(12, 2) NOT NULL DEFAULT 0,
    status          VARCHAR(20)    NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'confirmed', 'shipped', 'delivered', 'cancelled', 'failed')),
    subtotal        NUMERIC(12, 2) NOT NULL DEFAULT 0,
    tax_amount      NUMERIC(12, 2) NOT NULL DEFAULT 0,
    shipping_amount NUMERIC(12, 2) NOT NULL DEFAULT 0,
    discount_amount NUMERIC(12, 2) NOT NULL DEFAULT 0,
    payment_status  VARCHAR(20)    NOT NULL DEFAULT 'pending'
                        CHECK (payment_status IN ('pending', 'paid', 'failed', 'refunded')),
    payment_method  VARCHAR(50),
    shipping_method VARCHAR(50),
    tracking_number VARCHAR(100),
    created_at      TIMESTAMPTZ    NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ    NOT NULL DEFAULT now()
);
CREATE INDEX idx_orders_user_uid ON orders (user_uid);
CREATE INDEX idx_orders_status ON orders (status);
CREATE INDEX idx_orders_payment_status ON orders (payment_status);
CREATE INDEX idx_orders_created_at ON orders (created_at);

CREATE TABLE order_items (
    id              SERIAL PRIMARY KEY,
    order_id        INTEGER        NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id      INTEGER        NOT NULL, -- Product service id: no foreign key across services
    product_name    VARCHAR(255)   NOT NULL, -- cached for historical accuracy
    quantity        INTEGER        NOT NULL CHECK (quantity > 0),
    unit_price      NUMERIC(12, 2) NOT NULL,
    subtotal        NUMERIC(12, 2) NOT NULL,
    tax_amount      NUMERIC(12, 2) NOT NULL DEFAULT 0,
    discount_amount NUMERIC(12, 2) NOT NULL DEFAULT 0,
    final_price     NUMERIC(12, 2) NOT NULL,
    created_at      TIMESTAMPTZ    NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ    NOT NULL DEFAULT now()
);
CREATE INDEX idx_order_items_order_id ON order_items (order_id);
CREATE INDEX idx_order_items_product_id ON order_items (product_id);

CREATE TABLE payments (
    id               SERIAL PRIMARY KEY,
    order_id         INTEGER        NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    amount           NUMERIC(12, 2) NOT NULL,
    status           VARCHAR(20)    NOT NULL,
    payment_method   VARCHAR(50),
    currency         CHAR(3)        NOT NULL DEFAULT 'USD',
    transaction_id   VARCHAR(255),
    gateway          VARCHAR(50),
    gateway_response JSONB,
    created_at       TIMESTAMPTZ    NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ    NOT NULL DEFAULT now()
);
CREATE INDEX idx_payments_order_id ON payments (order_id);
CREATE INDEX idx_payments_status ON payments (status);
CREATE INDEX idx_payments_transaction_id ON payments (transaction_id);
INSERT INTO schema_migrations (version, name, checksum) VALUES (1, '0001_create_orders', 'e6e49f34888d63f');

-- 0002_order_saga
-- The order-creation saga: one saga per order (cancellation reuses it), its durable state,
-- and an append-only log of every step and compensation.
ALTER TABLE orders ADD COLUMN failure_reason TEXT;

CREATE TABLE order_sagas (
    order_id            INTEGER      PRIMARY KEY REFERENCES orders (id),
    user_uid            VARCHAR(255) NOT NULL,
    -- The client's Idempotency-Key, scoped per user, and a SHA-256 of the request it came with.
    idempotency_key     VARCHAR(255),
    request_fingerprint CHAR(64)     NOT NULL,
    -- What the steps need: the items asked for, and the payment token until the saga ends.
    items               JSONB        NOT NULL,
    payment_token       VARCHAR(255),
    phase               VARCHAR(20)  NOT NULL DEFAULT 'running'
                            CHECK (phase IN ('running', 'compensating', 'succeeded', 'failed', 'cancelled')),
    cancel_requested    BOOLEAN      NOT NULL DEFAULT false,
    -- Why it failed, as the contract's error: {code, message, details}.
    failure             JSONB,
    -- The first response, replayed for the same Idempotency-Key.
    response_status     INTEGER,
    response_body       JSONB,
    -- Who drives the saga now: a process holds it until lease_until; recovery takes over after.
    lease_owner         UUID,
    lease_until         TIMESTAMPTZ  NOT NULL,
    attempts            INTEGER      NOT NULL DEFAULT 0,
    created_at          TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ  NOT NULL DEFAULT now(),
    ended_at            TIMESTAMPTZ
);
CREATE UNIQUE INDEX idx_order_sagas_idempotency ON order_sagas (user_uid, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX idx_order_sagas_open ON order_sagas (lease_until) WHERE ended_at IS NULL;

CREATE TABLE order_saga_events (
    id         BIGSERIAL   PRIMARY KEY,
    order_id   INTEGER     NOT NULL REFERENCES order_sagas (order_id),
    -- A step (record_order …) or a compensation (release_stock, refund_payment), or cancel.
    action     VARCHAR(30) NOT NULL,
    outcome    VARCHAR(20) NOT NULL CHECK (outcome IN ('completed', 'failed', 'requested')),
    detail     JSONB,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_order_saga_events_order_id ON order_saga_events (order_id, id);

CREATE FUNCTION order_saga_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'order_saga_events is append-only';
END;
$$;
CREATE TRIGGER order_saga_events_no_change BEFORE UPDATE OR DELETE ON order_saga_events
    FOR EACH ROW EXECUTE FUNCTION order_saga_events_append_only();

-- A charge is recorded once and refunded at most once, whatever retries and recoveries do.
ALTER TABLE payments ADD CONSTRAINT payments_status_check CHECK (status IN ('succeeded', 'failed', 'refunded'));
CREATE UNIQUE INDEX idx_payments_one_charge ON payments (order_id) WHERE status IN ('succeeded', 'failed');
CREATE UNIQUE INDEX idx_payments_one_refund ON payments (order_id) WHERE status = 'refunded';

-- A user's orders, newest first.
CREATE INDEX idx_orders_user_uid_created_at ON orders (user_uid, created_at DESC, id DESC);
INSERT INTO schema_migrations (version, name, checksum) VALUES (2, '0002_order_saga', '6b6834ccba59c998');

-- 0003_saga_keys
-- Keys that cross a service boundary (the stock reservation id, the payment provider's charge
-- and refund keys) were made from the order id, which the orders sequence hands out again
-- after a reset or a restore of this database: the Product service then replayed an old
-- order's reservation for a new order. Each saga now has a key of its own, unique for ever.
-- Sagas recorded before this migration keep NULL and the keys they were started with.
ALTER TABLE order_sagas ADD COLUMN saga_key UUID;
ALTER TABLE order_sagas ALTER COLUMN saga_key SET DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX idx_order_sagas_saga_key ON order_sagas (saga_key);
INSERT INTO schema_migrations (version, name, checksum) VALUES (3, '0003_saga_keys', '2b7011716ed38fb1');

-- 0004_audit_log
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
INSERT INTO schema_migrations (version, name, checksum) VALUES (4, '0004_audit_log', '27114ef3cb1b8c51');

-- 0005_audit_order_status
-- What the audit trail records here (audit_row_change, 0004): an order's status changed by
-- an admin or an API key (a customer's own orders and the saga's steps are not admin actions).
CREATE TRIGGER orders_audit AFTER UPDATE OF status ON orders
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION audit_row_change();
INSERT INTO schema_migrations (version, name, checksum) VALUES (5, '0005_audit_order_status', 'ee60d2d3ea412512');

-- 0006_order_events
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
INSERT INTO schema_migrations (version, name, checksum) VALUES (6, '0006_order_events', 'f189539553a2f270');

COMMIT;
