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
