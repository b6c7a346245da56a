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
