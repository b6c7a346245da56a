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

COMMIT;
