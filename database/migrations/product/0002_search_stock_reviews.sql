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
