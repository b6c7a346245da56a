-- Generated from database/migrations/product (every migration, in order). Do not edit: change the
-- migrations and regenerate with scripts/generate-init-sql.sh.
BEGIN;
CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- 0001_create_catalog
-- Product database: categories, products and product_reviews as the design document lists them.
CREATE TABLE categories (
    id          SERIAL PRIMARY KEY,
    name        VARCHAR(255) NOT NULL,
    description TEXT,
    status      VARCHAR(20)  NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    sort_order  INTEGER      NOT NULL DEFAULT 0,
    parent_id   INTEGER REFERENCES categories (id),
    slug        VARCHAR(255) NOT NULL UNIQUE,
    image_url   TEXT,
    created_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
    deleted_at  TIMESTAMPTZ
);
CREATE INDEX idx_categories_status ON categories (status);
CREATE INDEX idx_categories_parent_id ON categories (parent_id);

CREATE TABLE products (
    id                SERIAL PRIMARY KEY,
    name              VARCHAR(255)   NOT NULL,
    description       TEXT,
    price             NUMERIC(12, 2) NOT NULL CHECK (price >= 0),
    stock             INTEGER        NOT NULL DEFAULT 0 CHECK (stock >= 0),
    category_id       INTEGER        NOT NULL REFERENCES categories (id),
    sku               VARCHAR(100)   NOT NULL UNIQUE,
    image_url         TEXT,
    status            VARCHAR(20)    NOT NULL DEFAULT 'active'
                          CHECK (status IN ('active', 'inactive', 'draft', 'discontinued')),
    tags              TEXT[]         NOT NULL DEFAULT '{}',
    slug              VARCHAR(255)   NOT NULL UNIQUE,
    is_featured       BOOLEAN        NOT NULL DEFAULT false,
    cost_price        NUMERIC(12, 2) CHECK (cost_price >= 0),
    margin_percentage NUMERIC(7, 2),
    created_at        TIMESTAMPTZ    NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ    NOT NULL DEFAULT now(),
    deleted_at        TIMESTAMPTZ
);
CREATE INDEX idx_products_category_id ON products (category_id);
CREATE INDEX idx_products_status ON products (status);
CREATE INDEX idx_products_price ON products (price);
CREATE INDEX idx_products_tags ON products USING GIN (tags);

CREATE TABLE product_reviews (
    id                   SERIAL PRIMARY KEY,
    product_id           INTEGER      NOT NULL REFERENCES products (id),
    user_uid             VARCHAR(255) NOT NULL, -- User service uid: no foreign key across services
    order_id             INTEGER,               -- Order service id: no foreign key across services
    rating               SMALLINT     NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title                VARCHAR(255),
    comment              TEXT,
    is_verified_purchase BOOLEAN      NOT NULL DEFAULT false,
    is_approved          BOOLEAN      NOT NULL DEFAULT false,
    created_at           TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ  NOT NULL DEFAULT now(),
    deleted_at           TIMESTAMPTZ
);
CREATE INDEX idx_product_reviews_product_id ON product_reviews (product_id);
CREATE INDEX idx_product_reviews_user_uid ON product_reviews (user_uid);
CREATE INDEX idx_product_reviews_rating ON product_reviews (rating);
INSERT INTO schema_migrations (version, name, checksum) VALUES (1, '0001_create_catalog', '704719745297e491');

-- 0002_search_stock_reviews
-- Full-text search, listing indexes, review aggregates, the stock ledger and reservations.

-- Ranked full-text search over name (weight A) and description (weight B).
ALTER TABLE products ADD COLUMN search_vector TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(name, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(description, '')), 'B')
) STORED;
CREATE INDEX idx_products_search ON products USING GIN (search_vector);

-- Listings show live products by status and sort by price, name or creation time.
CREATE INDEX idx_products_live_price ON products (status, price, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_products_live_name ON products (status, name, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_products_live_created ON products (status, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_products_live_category ON products (category_id, status, price) WHERE deleted_at IS NULL;
CREATE INDEX idx_products_featured ON products (is_featured) WHERE is_featured AND deleted_at IS NULL;

-- Approved reviews, kept on the product so listings need no aggregate.
ALTER TABLE products
    ADD COLUMN rating_average NUMERIC(3, 2) NOT NULL DEFAULT 0,
    ADD COLUMN review_count   INTEGER       NOT NULL DEFAULT 0;

-- One review per user and product (deleted ones do not count).
CREATE UNIQUE INDEX idx_product_reviews_one_per_user
    ON product_reviews (product_id, user_uid) WHERE deleted_at IS NULL;

-- Every stock movement, append-only: the sum of quantity_delta per product is its stock.
CREATE TABLE stock_movements (
    id             BIGSERIAL PRIMARY KEY,
    product_id     INTEGER     NOT NULL REFERENCES products (id),
    quantity_delta INTEGER     NOT NULL CHECK (quantity_delta <> 0),
    reason         VARCHAR(30) NOT NULL
                       CHECK (reason IN ('initial', 'admin_adjustment', 'reservation', 'release')),
    reservation_id VARCHAR(100),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_stock_movements_product_id ON stock_movements (product_id);
CREATE INDEX idx_stock_movements_reservation_id ON stock_movements (reservation_id);

CREATE FUNCTION stock_movements_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stock_movements is append-only';
END;
$$;
CREATE TRIGGER stock_movements_no_change BEFORE UPDATE OR DELETE ON stock_movements
    FOR EACH ROW EXECUTE FUNCTION stock_movements_append_only();

-- Reservations for the order saga, keyed by the caller's reservation id (idempotency).
CREATE TABLE stock_reservations (
    reservation_id VARCHAR(100) PRIMARY KEY,
    status         VARCHAR(20) NOT NULL CHECK (status IN ('reserved', 'released')),
    items          JSONB       NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    released_at    TIMESTAMPTZ
);
INSERT INTO schema_migrations (version, name, checksum) VALUES (2, '0002_search_stock_reviews', 'f89783def75b1953');

-- 0003_product_change_notifications
-- Every committed change to a product is announced on the channel product_changed, with
-- the product's id as payload ('*' for TRUNCATE: all of them). Each replica of the Product
-- service listens and drops the product from its cache of the public view, so a change made
-- anywhere (another replica, psql, a migration) is never served stale for longer than the
-- notification takes to arrive. Notifications are sent only when the transaction commits.
CREATE FUNCTION notify_product_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('product_changed', '*');
    ELSE
        PERFORM pg_notify('product_changed', OLD.id::text);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER products_notify_changed AFTER UPDATE OR DELETE ON products
    FOR EACH ROW EXECUTE FUNCTION notify_product_changed();
CREATE TRIGGER products_notify_truncated AFTER TRUNCATE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION notify_product_changed();
INSERT INTO schema_migrations (version, name, checksum) VALUES (3, '0003_product_change_notifications', '8ff011f314569f54');

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

-- 0005_audit_catalog
-- What the audit trail records here (audit_row_change, 0004): the catalog's categories and
-- products as admins and API keys change them (a product's rating aggregates and search
-- vector are derived, not audited), and review moderation and deletion.
CREATE TRIGGER categories_audit AFTER INSERT OR UPDATE OR DELETE ON categories
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();
CREATE TRIGGER products_audit AFTER INSERT OR DELETE OR UPDATE OF
        name, description, price, stock, category_id, sku, image_url, status, tags, slug, is_featured, cost_price, deleted_at
    ON products FOR EACH ROW EXECUTE FUNCTION audit_row_change('search_vector', 'rating_average', 'review_count');
CREATE TRIGGER product_reviews_audit AFTER DELETE OR UPDATE OF is_approved, deleted_at ON product_reviews
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();
INSERT INTO schema_migrations (version, name, checksum) VALUES (5, '0005_audit_catalog', '4525f08d02317bf2');

COMMIT;
