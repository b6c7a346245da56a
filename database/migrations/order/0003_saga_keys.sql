-- Keys that cross a service boundary (the stock reservation id, the payment provider's charge
-- and refund keys) were made from the order id, which the orders sequence hands out again
-- after a reset or a restore of this database: the Product service then replayed an old
-- order's reservation for a new order. Each saga now has a key of its own, unique for ever.
-- Sagas recorded before this migration keep NULL and the keys they were started with.
ALTER TABLE order_sagas ADD COLUMN saga_key UUID;
ALTER TABLE order_sagas ALTER COLUMN saga_key SET DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX idx_order_sagas_saga_key ON order_sagas (saga_key);
