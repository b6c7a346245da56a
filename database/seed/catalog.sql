-- Demo catalog: a two-level category tree and :count products with names, descriptions,
-- tags, prices and stock (each with its 'initial' stock ledger row). Safe to run again:
-- rows that exist (by slug or sku) are kept. Run with psql -v count=1200 -v draft_every=40
-- (every 40th product a draft; 0 for none), as make seed does.
BEGIN;

INSERT INTO categories (name, slug, description, sort_order)
SELECT name, lower(replace(name, ' & ', '-')), 'Everything for ' || lower(name), ord
FROM unnest(ARRAY['Kitchen', 'Garden', 'Office', 'Outdoors', 'Books', 'Toys & Games', 'Electronics', 'Home'])
     WITH ORDINALITY AS t(name, ord)
ON CONFLICT (slug) DO NOTHING;

INSERT INTO categories (name, slug, description, parent_id, sort_order)
SELECT parent.name || ' ' || child.name, parent.slug || '-' || lower(child.name),
       child.name || ' in ' || lower(parent.name), parent.id, child.ord
FROM categories parent
CROSS JOIN unnest(ARRAY['Essentials', 'Premium', 'Accessories']) WITH ORDINALITY AS child(name, ord)
WHERE parent.parent_id IS NULL AND parent.deleted_at IS NULL
ON CONFLICT (slug) DO NOTHING;

WITH words AS (
    SELECT ARRAY['Sturdy', 'Compact', 'Classic', 'Deluxe', 'Eco', 'Smart', 'Vintage', 'Portable', 'Handmade', 'Ultra'] AS adjectives,
           ARRAY['Kettle', 'Lamp', 'Notebook', 'Backpack', 'Planter', 'Speaker', 'Puzzle', 'Blanket', 'Knife', 'Chair',
                 'Mug', 'Tent', 'Clock', 'Brush', 'Drone'] AS nouns,
           ARRAY['sale', 'new', 'bestseller', 'gift', 'eco', 'limited', 'premium', 'classic'] AS tags,
           ARRAY['steel', 'oak', 'recycled plastic', 'linen', 'ceramic', 'bamboo'] AS materials
), leaves AS (
    SELECT array_agg(id ORDER BY id) AS ids FROM categories WHERE parent_id IS NOT NULL AND deleted_at IS NULL
), numbered AS (
    SELECT n,
           words.adjectives[1 + n % 10] || ' ' || words.nouns[1 + (n / 10) % 15] || ' ' || n AS name,
           words.materials[1 + n % 6] AS material,
           ARRAY[words.tags[1 + n % 8], words.tags[1 + (n / 8) % 8]] AS tags,
           leaves.ids[1 + n % array_length(leaves.ids, 1)] AS category_id
    FROM generate_series(1, :count) AS n, words, leaves
), inserted AS (
    INSERT INTO products (name, description, price, stock, category_id, sku, tags, slug, is_featured, cost_price, status)
    SELECT name,
           'A ' || lower(name) || ' made of ' || material || '. Built to last, easy to clean and backed by a two-year warranty.',
           round((5 + (n * 37 % 49500) / 100.0)::numeric, 2),
           n * 13 % 200,
           category_id,
           'SEED-' || lpad(n::text, 6, '0'),
           ARRAY(SELECT DISTINCT unnest(tags)),
           lower(regexp_replace(name, '[^A-Za-z0-9]+', '-', 'g')),
           n % 25 = 0,
           round((3 + (n * 37 % 49500) / 160.0)::numeric, 2),
           CASE WHEN :draft_every > 0 AND n % :draft_every = 0 THEN 'draft' ELSE 'active' END
    FROM numbered
    ON CONFLICT DO NOTHING
    RETURNING id, stock
)
INSERT INTO stock_movements (product_id, quantity_delta, reason)
SELECT id, stock, 'initial' FROM inserted WHERE stock > 0;

UPDATE products SET margin_percentage = round((price - cost_price) / price * 100, 2)
WHERE sku LIKE 'SEED-%' AND cost_price IS NOT NULL AND price > 0 AND margin_percentage IS NULL;

COMMIT;
ANALYZE categories;
ANALYZE products;
