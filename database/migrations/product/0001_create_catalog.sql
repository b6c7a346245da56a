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
